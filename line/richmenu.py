"""LINE's rich menu: each person's main commands as buttons below the chat, one menu per
role and language.

A button's label is drawn into the menu's image: LINE shows the image and nothing else
(an area's label is for accessibility, its displayText appears only once tapped), so a menu
of icons alone would leave people guessing. Hence one menu per role and language (six), drawn
with the Thai font the charts already bundle (`data/fonts/Garuda*.ttf`, GPL with the font
exception), so Thai renders on a machine without Thai fonts. Each button is a postback
`MenuButton(command)` whose displayText, in the person's language, shows in the chat what
they asked for; the adapter answers it as if the command were typed (`line.events`), with
the command's own checks.

At start-up (`set_up`, beside the bot) each menu's content (its JSON and what its image
is drawn from) is hashed; `bot_state` keeps the hash and the menu's id. When the hash is
unchanged and LINE still has the menu, it is used as it is: nothing is drawn or uploaded.
Otherwise a new menu is created, its image drawn and uploaded (api-data host), every person
of that role and language on LINE linked to it (in bulk, 500 a call), and the old one
deleted. A person is linked to their menu when they join, link their Telegram account or
change language (`link`). Linking menus is not a message: it costs no push.
"""

import asyncio
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from functools import cache

from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuBulkLinkRequest,
    RichMenuRequest,
    RichMenuSize,
)

from bot.config import DATA_DIR, SUPPORTED_LANGUAGES
from bot.domain.models import Role, User
from bot.flows.callback_data import MenuButton
from bot.i18n import Translator, pick_language, translator
from bot.runtime import Runtime
from line import CHANNEL

log = logging.getLogger(__name__)

# What each role's menu offers, in reading order (two rows of three).
COMMANDS: dict[Role, tuple[str, ...]] = {
    Role.TEACHER: ("/new", "/mycases", "/locate", "/summary", "/language", "/help"),
    Role.FOCAL_POINT: ("/inbox", "/new", "/mycases", "/summary", "/language", "/help"),
    Role.COORDINATOR: ("/summary", "/queue", "/invite", "/export", "/users", "/help"),
}
WIDTH, HEIGHT = 2500, 843  # LINE's compact size
COLUMNS, ROWS = 3, 2
IMAGE_LIMIT = 1024 * 1024
BULK_LIMIT = 500  # user ids in one bulk link
FONT = DATA_DIR / "fonts" / "Garuda-Bold.ttf"
# Raised whenever `_draw` changes, so that menus drawn the old way are replaced.
DESIGN = 1
STATE_KEY = "line-rich-menu:{role}:{language}"
COLOURS = ("#0b6e4f", "#13866a")  # the buttons, alternating
INK = "#ffffff"
# Seconds between tries while LINE cannot be reached at start-up.
RETRY_PAUSES = (1, 2, 4, 8, 16, 32)


@dataclass(frozen=True)
class Menu:
    role: Role
    language: str
    request: RichMenuRequest
    labels: tuple[tuple[str, str], ...]  # (label, command) of each button, in order
    digest: str


def menu(role: Role, t: Translator) -> Menu:
    """The role's menu in `t`'s language, and the hash of all that makes it."""
    commands = COMMANDS[role]
    labels = tuple((t(f"menu-{command[1:]}"), command) for command in commands)
    areas = [RichMenuArea(bounds=_bounds(index), action=PostbackAction(
        label=label, data=MenuButton(command=command).pack(),
        display_text=label)) for index, (label, command) in enumerate(labels)]
    content = {"design": DESIGN, "font": _font_digest(), "role": role.value,
               "language": t.lang, "chat_bar": t("menu-chat-bar"),
               "areas": [area.to_dict() for area in areas]}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    request = RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=HEIGHT), selected=True,
        name=f"panong {role.value} {t.lang} {digest[:12]}", chat_bar_text=t("menu-chat-bar"),
        areas=areas)
    return Menu(role=role, language=t.lang, request=request, labels=labels, digest=digest)


def _bounds(index: int) -> RichMenuBounds:
    column, row = index % COLUMNS, index // COLUMNS
    left, top = WIDTH * column // COLUMNS, HEIGHT * row // ROWS
    return RichMenuBounds(x=left, y=top, width=WIDTH * (column + 1) // COLUMNS - left,
                          height=HEIGHT * (row + 1) // ROWS - top)


@cache
def _font_digest() -> str:
    return hashlib.sha256(FONT.read_bytes()).hexdigest()


def image(drawn: Menu) -> bytes:
    """The menu's PNG: each button's label, and the command it sends under it."""
    from PIL import Image, ImageDraw, ImageFont  # only drawing a new menu needs Pillow

    picture = Image.new("RGB", (WIDTH, HEIGHT), COLOURS[0])
    pen = ImageDraw.Draw(picture)
    small = ImageFont.truetype(str(FONT), 64)
    for index, (label, command) in enumerate(drawn.labels):
        bounds = _bounds(index)
        box = (bounds.x, bounds.y, bounds.x + bounds.width - 1, bounds.y + bounds.height - 1)
        pen.rectangle(box, fill=COLOURS[(index + index // COLUMNS) % 2], outline=INK, width=4)
        size = 110
        font = ImageFont.truetype(str(FONT), size)
        while pen.textlength(label, font=font) > bounds.width - 80 and size > 40:
            size -= 6
            font = ImageFont.truetype(str(FONT), size)
        middle = bounds.x + bounds.width / 2
        pen.text((middle, bounds.y + bounds.height * 0.42), label, font=font, fill=INK,
                 anchor="mm")
        pen.text((middle, bounds.y + bounds.height * 0.75), command, font=small, fill=INK,
                 anchor="mm")
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > IMAGE_LIMIT:
        raise ValueError(f"the rich menu image is {len(data)} bytes, over LINE's 1 MB")
    return data


async def set_up(runtime: Runtime, messaging: AsyncMessagingApi,
                 blob: AsyncMessagingApiBlob) -> None:
    """Make sure every role and language has its menu on LINE, as this version draws it.
    Run beside the bot: LINE out of reach is tried again a few times; a refusal is logged
    and leaves the bot without menus, not without LINE."""
    for pause in (*RETRY_PAUSES, None):
        try:
            existing = {found.rich_menu_id
                        for found in (await messaging.get_rich_menu_list()).richmenus}
            for role in COMMANDS:
                for language in SUPPORTED_LANGUAGES:
                    await _set_up_one(runtime, messaging, blob,
                                      menu(role, translator(language)), existing)
            return
        except ApiException as error:
            log.warning("the LINE rich menus could not be set up: %s", error.status)
            return
        except OSError as error:
            log.warning("the LINE rich menus could not be set up (%s)%s", error,
                        f"; trying again in {pause} s" if pause else "")
            if pause is None:
                return
            await asyncio.sleep(pause)


async def _set_up_one(runtime: Runtime, messaging: AsyncMessagingApi,
                      blob: AsyncMessagingApiBlob, wanted: Menu, existing: set[str]) -> None:
    key = STATE_KEY.format(role=wanted.role.value, language=wanted.language)
    stored = await runtime.db.read.bot_state.get(key)
    digest, _, old_id = (stored or "").partition(" ")
    if digest == wanted.digest and old_id in existing:
        return
    created = await messaging.create_rich_menu(wanted.request)
    menu_id = created.rich_menu_id
    await blob.set_rich_menu_image(menu_id, image(wanted),
                                   _headers={"Content-Type": "image/png"})
    async with runtime.db.unit_of_work() as uow:
        await uow.bot_state.put(key, f"{wanted.digest} {menu_id}")
        await uow.commit()
    people = [chat for chat, user in await runtime.db.read.users.active_on(CHANNEL)
              if user.role is wanted.role and _language(runtime, user) == wanted.language]
    for start in range(0, len(people), BULK_LIMIT):
        await messaging.link_rich_menu_id_to_users(RichMenuBulkLinkRequest(
            rich_menu_id=menu_id, user_ids=people[start:start + BULK_LIMIT]))
    if old_id in existing:
        await messaging.delete_rich_menu(old_id)
    log.info("LINE rich menu for %s in %s: %s (%d people linked)", wanted.role.value,
             wanted.language, "replaced" if old_id else "created", len(people))


def _language(runtime: Runtime, user: User) -> str:
    return pick_language(user.language, None, runtime.settings.default_language)


async def link(runtime: Runtime, messaging: AsyncMessagingApi, chat: str, user: User) -> None:
    """Show `user`, in their LINE chat `chat`, their role's menu in their language (when
    the menus are set up). A failure is logged: the menu is a convenience."""
    key = STATE_KEY.format(role=user.role.value, language=_language(runtime, user))
    stored = await runtime.db.read.bot_state.get(key)
    if not stored:
        return
    try:
        await messaging.link_rich_menu_id_to_user(chat, stored.partition(" ")[2])
    except (ApiException, OSError) as error:
        log.warning("a LINE rich menu could not be linked: %s",
                    getattr(error, "status", None) or error)
