"""Telegram by webhook: Telegram posts each update to the bot's own aiohttp server (beside
LINE's webhook), which stores it in the inbox (`bot.inbox`) and answers 200; whichever bot
process takes the update's chat feeds it to its PTB Application.

Every request must carry the secret given to Telegram with `setWebhook`
(`X-Telegram-Bot-Api-Secret-Token`), compared in constant time; one without it, or with
another, is refused (401) and logged without its body, and nothing is stored.

The chat of an update is the one PTB's own per-chat processor orders by (`ordering_key`):
the chat, else the user. Telegram's `update_id` is the update's id in the inbox, so an
update Telegram sends again (the 200 did not reach it) is not handled twice.

Several processes share the people's work in progress (`SQLitePersistence(shared=True)`):
before an update, its user's data and the states of its conversations are read again
from the database, since another process may have handled the chat's last update; after
it, what the update changed is written before the update is marked handled.
"""

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.errors import DatabaseBusy
from bot.runtime import Runtime
from handlers.context import CHANNEL
from handlers.persistence import persistence_of
from handlers.processor import PerChatUpdateProcessor
from storage.inbox import ReceivedEvent

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def chat_of(data: dict[str, Any]) -> str:
    """The chat whose updates go one at a time; an update with neither chat nor user (a
    poll's state) is a chat of its own."""
    key = PerChatUpdateProcessor.ordering_key(Update.de_json(data, None))
    return f"{key[0]}:{key[1]}" if isinstance(key, tuple) else f"update:{data['update_id']}"


def add_telegram_route(app: web.Application, runtime: Runtime) -> None:
    """Telegram's webhook on `app`, at the path of PANONG_TELEGRAM_WEBHOOK_URL."""
    settings = runtime.settings
    assert settings.telegram_webhook_secret is not None
    secret = settings.telegram_webhook_secret.get_secret_value().encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("refused a Telegram webhook request from %s: %s secret",
                        request.remote, "a wrong" if given else "no")
            return web.Response(status=401, text="bad secret")
        try:
            data = json.loads(await request.text())
            update_id = int(data["update_id"])
            chat = chat_of(data)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        try:
            await runtime.inbox.receive(CHANNEL, [(str(update_id), chat, data)])
        except DatabaseBusy:
            # Not taken: Telegram sends it again.
            log.warning("a Telegram update could not be stored: the database is busy")
            return web.Response(status=503, text="busy")
        return web.Response(text="OK")

    app.router.add_post(settings.telegram_webhook_path, receive)


def handle_stored(application: Application) -> Any:
    """The inbox's handler of Telegram updates: each fed to `application`, with the work in
    progress read before and written after."""
    persistence = persistence_of(application)

    async def handle(received: ReceivedEvent) -> None:
        update = Update.de_json(received.body, application.bot)
        await persistence.reload_states(_conversations_of(application, update))
        await application.process_update(update)
        await application.update_persistence()

    return handle


def _conversations_of(application: Application, update: Update) -> dict[str, Any]:
    """Each persistent conversation's key for `update`, beside its states (PTB keeps both
    to itself: read through its private names, PTB being pinned to one major version)."""
    found = {}
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler) and handler.persistent:
                try:
                    key = handler._get_key(update)
                except RuntimeError:  # no chat or no user where the conversation needs one
                    continue
                assert handler.name is not None
                found[handler.name] = (key, handler._conversations)
    return found
