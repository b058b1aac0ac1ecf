"""Panong's messages as LINE messages. The catalogs' light markup (bold, code) is for
Telegram; LINE shows plain text. LINE's limits (5,000 characters a text, 20 a button
label, 13 quick replies, 300 characters of postback data) are kept here."""

from collections.abc import Sequence

from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

from bot.presenters import plain

TEXT_LIMIT = 5000
LABEL_LIMIT = 20
QUICK_REPLIES = 13
DATA_LIMIT = 300


def text_message(text: str, choices: Sequence[tuple[str, str]] = ()) -> TextMessage:
    """`text` (catalog markup) as plain text; `choices`: (label, postback data) shown as
    quick replies under it."""
    body = plain(text)
    if len(body) > TEXT_LIMIT:
        body = body[:TEXT_LIMIT - 1] + "…"
    quick = None
    if choices:
        if len(choices) > QUICK_REPLIES:
            raise ValueError(f"{len(choices)} choices: LINE shows at most {QUICK_REPLIES}")
        quick = QuickReply(items=[QuickReplyItem(action=PostbackAction(
            label=_label(label), data=_data(data), display_text=plain(label)[:300]))
            for label, data in choices])
    return TextMessage(text=body, quick_reply=quick)


def _label(label: str) -> str:
    label = plain(label)
    return label if len(label) <= LABEL_LIMIT else label[:LABEL_LIMIT - 1] + "…"


def _data(data: str) -> str:
    if len(data) > DATA_LIMIT:
        raise ValueError(f"postback data over {DATA_LIMIT} characters: {data[:40]}…")
    return data

