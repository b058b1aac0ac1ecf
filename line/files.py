"""Files on LINE. LINE cannot send a document to a person, and its image messages carry an
HTTPS address, not the picture: so an export, a chart or an import's rejected rows is
kept for a few minutes (`bot.services.downloads`) and handed over as a link to the bot's
own web server (the LINE webhook's, `PANONG_LINE_PUBLIC_URL`), sent only in the reply to
the person who asked. The link's token is unguessable and only its hash is stored; an
unknown or expired one gets a bare 404, and the file is deleted once its time is up.
"""

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web
from linebot.v3.messaging import (
    ButtonsTemplate,
    ImageMessage,
    Message,
    TemplateMessage,
    URIAction,
)
from PIL import Image

from bot.config import Settings
from bot.domain.models import User
from bot.errors import AppError
from bot.i18n import Translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services import downloads
from line.render import LABEL_LIMIT, text_message

# What LINE takes: a preview image of at most 1 MB (the full one may be 10 MB).
PREVIEW_BYTES = 1024 * 1024
PREVIEW_WIDTH = 480
# A buttons template's text without a title or an image; its alt text (notifications).
TEMPLATE_TEXT = 160
ALT_TEXT = 400


class FilesNeedPublicUrl(AppError):
    """No public address is set for the bot's web server: no link can be made."""

    key = "line-files-need-public-url"


def files_url(settings: Settings) -> str | None:
    """Where the files' links start: the public address (given as the server's own or as
    the webhook's), then the files' path; None when no public address is set."""
    public = (settings.line_public_url or "").rstrip("/")
    if not public:
        return None
    public = public.removesuffix(settings.line_webhook_path.rstrip("/"))
    return public + "/" + settings.line_files_path.strip("/")


def require_files(settings: Settings) -> str:
    """The files' base address; FilesNeedPublicUrl, before anything is made, when none."""
    base = files_url(settings)
    if base is None:
        raise FilesNeedPublicUrl()
    return base


async def link(runtime: Runtime, actor: User, content: bytes, *, file_name: str,
               content_type: str) -> str:
    """A short-lived link to `content` for `actor`."""
    base = require_files(runtime.settings)
    token = await downloads.offer(
        runtime.db, actor, content, file_name=file_name, content_type=content_type,
        now=runtime.now(), valid_for=timedelta(minutes=runtime.settings.line_download_minutes))
    return f"{base}/{token}"


async def download_messages(runtime: Runtime, actor: User, t: Translator, content: bytes,
                            *, file_name: str, content_type: str, text: str) -> list[Message]:
    """What the file is (`text`), then a button that opens its link: a button rather than
    a link in the text, so that no link preview has the file fetched by LINE's servers,
    and the address is not shown to be copied."""
    url = await link(runtime, actor, content, file_name=file_name, content_type=content_type)
    expires = plain(t("line-file-expires", minutes=runtime.settings.line_download_minutes))
    return [text_message(text), TemplateMessage(
        alt_text=_cut(expires, ALT_TEXT),
        template=ButtonsTemplate(text=_cut(expires, TEMPLATE_TEXT), actions=[
            URIAction(label=plain(t("line-file-download"))[:LABEL_LIMIT], uri=url)]))]


async def image_message(runtime: Runtime, actor: User, png: bytes, *,
                        file_name: str) -> ImageMessage:
    """A picture: its link, and a smaller one for the preview when it is over 1 MB."""
    original = await link(runtime, actor, png, file_name=file_name, content_type="image/png")
    preview = original
    if len(png) > PREVIEW_BYTES:
        preview = await link(runtime, actor, await asyncio.to_thread(_smaller, png),
                             file_name=file_name, content_type="image/png")
    return ImageMessage(original_content_url=original, preview_image_url=preview)


def _smaller(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as picture:
        picture.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH))
        out = io.BytesIO()
        picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def file_server(runtime: Runtime) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET {files path}/{token}: the file, while its link works; a bare 404 otherwise."""

    async def serve(request: web.Request) -> web.Response:
        found = await downloads.fetch(runtime.db, request.match_info["token"],
                                      now=runtime.now())
        if found is None:
            return web.Response(status=404, headers={"Cache-Control": "no-store"})
        shown = "inline" if found.content_type.startswith("image/") else "attachment"
        return web.Response(body=found.content, headers={
            "Content-Type": found.content_type,
            "Content-Disposition": f"{shown}; filename*=UTF-8''{quote(found.file_name)}",
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})

    return serve

