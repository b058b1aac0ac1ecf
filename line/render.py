"""Panong's messages as LINE messages. The catalogs' light markup (bold, code) is for
Telegram; LINE shows plain text. LINE's limits (5,000 characters a text, 20 a button
label, 13 quick replies, 300 characters of postback data, 400 of a card's alt text, the
words shown in the chat list and in notifications) are kept here."""

from collections.abc import Sequence

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexComponent,
    FlexMessage,
    FlexSeparator,
    FlexText,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.flows.choices import Choice
from bot.presenters import plain

TEXT_LIMIT = 5000
LABEL_LIMIT = 20
QUICK_REPLIES = 13
DATA_LIMIT = 300
ALT_TEXT_LIMIT = 400


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
        quick = QuickReply(items=[QuickReplyItem(action=_postback(label, data))
                                  for label, data in choices])
    return TextMessage(text=body, quick_reply=quick)


def offered(choices: Sequence[Choice]) -> list[tuple[str, str]]:
    """A step's choices (`bot.flows.choices`) as `text_message` takes them."""
    return [(label, data.pack()) for label, data in choices]


def card_message(alt_text: str, title: str, fields: Sequence[tuple[str, str]],
                 sections: Sequence[tuple[str, Sequence[str]]],
                 choices: Sequence[Choice] = ()) -> FlexMessage:
    """A card (LINE's Flex bubble): a title, label and value side by side, titled sections
    of lines, and its buttons under it. `alt_text` is all a notification or the chat list
    shows of it."""
    body: list[FlexComponent] = [FlexText(text=_fitted(title), weight="bold", size="lg",
                                          wrap=True)]
    body += [FlexBox(layout="horizontal", spacing="md", margin="sm", contents=[
        FlexText(text=_fitted(label), size="sm", color="#888888", flex=2, wrap=True),
        FlexText(text=_fitted(value), size="sm", flex=5, wrap=True)])
        for label, value in fields]
    for heading, lines in sections:
        body += [FlexSeparator(margin="lg"),
                 FlexText(text=_fitted(heading), weight="bold", margin="lg", wrap=True)]
        body += [FlexText(text=_fitted(line), size="sm", wrap=True) for line in lines]
    footer = FlexBox(layout="vertical", spacing="sm", contents=[
        FlexButton(action=_postback(label, data.pack()), style="link", height="sm")
        for label, data in choices]) if choices else None
    alt = plain(alt_text)
    return FlexMessage(alt_text=alt if len(alt) <= ALT_TEXT_LIMIT
                       else alt[:ALT_TEXT_LIMIT - 1] + "…",
                       contents=FlexBubble(body=FlexBox(layout="vertical", contents=body),
                                           footer=footer))


def _postback(label: str, data: str) -> PostbackAction:
    return PostbackAction(label=_label(label), data=_data(data),
                          display_text=plain(label)[:300])


def _fitted(text: str) -> str:
    """Catalog text as a card's plain text (LINE refuses an empty one)."""
    return plain(text)[:TEXT_LIMIT] or "-"


def _label(label: str) -> str:
    label = plain(label)
    return label if len(label) <= LABEL_LIMIT else label[:LABEL_LIMIT - 1] + "…"


def _data(data: str) -> str:
    if len(data) > DATA_LIMIT:
        raise ValueError(f"postback data over {DATA_LIMIT} characters: {data[:40]}…")
    return data

