"""Panong's messages as LINE messages. The catalogs' light markup (bold, code) is for
Telegram; LINE shows plain text. LINE's limits (5,000 characters a text, 20 a button
label, 13 quick replies, 300 characters of postback data, 400 of a card's alt text: the
words shown in the chat list and in notifications) are kept here. Lengths are counted as
LINE counts them, in UTF-16 units."""

from collections.abc import Callable, Sequence

from linebot.v3.messaging import (
    Action,
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

from bot.flows import choices as flow_choices
from bot.i18n import Translator
from bot.presenters import plain

TEXT_LIMIT = 5000
LABEL_LIMIT = 20
QUICK_REPLIES = 13
DATA_LIMIT = 300
ALT_TEXT_LIMIT = 400

# A button: (label in catalog markup, postback data).
Choice = tuple[str, str]


def offered(choices: Sequence[flow_choices.Choice]) -> list[Choice]:
    """A step's choices (`bot.flows.choices`: label and button data) as LINE's buttons."""
    return [(text, data.pack()) for text, data in choices]


def text_message(text: str, choices: Sequence[Choice] = (),
                 actions: Sequence[Action] = ()) -> TextMessage:
    """`text` (catalog markup) as plain text; `choices` (postbacks), then `actions` (a date
    picker, a location; their labels already fitted), shown as quick replies under it.
    Choices whose labels would read the same once cut to LINE's length are numbered, and
    their full labels listed under the text."""
    items, legend = _postbacks(choices)
    items += list(actions)
    if len(items) > QUICK_REPLIES:
        raise ValueError(f"{len(items)} choices: LINE shows at most {QUICK_REPLIES}")
    body = "\n".join([plain(text), *legend])
    return TextMessage(text=fit(body, TEXT_LIMIT), quick_reply=QuickReply(items=[
        QuickReplyItem(action=action) for action in items]) if items else None)


def card_message(title: str, fields: Sequence[tuple[str, str]], *, alt_text: str,
                 note: str | None = None,
                 sections: Sequence[tuple[str, Sequence[str]]] = (),
                 buttons: Sequence[Choice] = (), choices: Sequence[Choice] = ()
                 ) -> FlexMessage:
    """A card (a Flex bubble): `title`, one row a field (label, value), titled `sections`
    of lines, `note` under them, then `buttons`; `alt_text` is all that LINE shows where
    it cannot show the card (a notification, the chat list, an old app); `choices` go
    under it as quick replies. All catalog markup."""
    rows: list[FlexComponent] = [
        FlexBox(layout="baseline", spacing="sm", contents=[
            FlexText(text=_shown(label), size="sm", color="#888888", flex=2, wrap=True),
            FlexText(text=_shown(value), size="sm", flex=5, wrap=True)])
        for label, value in fields]
    for heading, lines in sections:
        rows += [FlexSeparator(margin="lg"),
                 FlexText(text=_shown(heading), weight="bold", margin="lg", wrap=True)]
        rows += [FlexText(text=_shown(line), size="sm", wrap=True) for line in lines]
    if note:
        rows += [FlexSeparator(margin="md"),
                 FlexText(text=_shown(note), size="sm", color="#CC3333", wrap=True,
                          margin="md")]
    actions, _ = _postbacks(buttons)  # a card's few buttons read differently
    items, _ = _postbacks(choices)
    if len(items) > QUICK_REPLIES:
        raise ValueError(f"{len(items)} choices: LINE shows at most {QUICK_REPLIES}")
    return FlexMessage(
        alt_text=fit(plain(alt_text), ALT_TEXT_LIMIT),
        contents=FlexBubble(
            header=FlexBox(layout="vertical", contents=[
                FlexText(text=_shown(title), weight="bold", wrap=True)]),
            body=FlexBox(layout="vertical", spacing="sm", contents=rows),
            footer=FlexBox(layout="vertical", spacing="sm", contents=[
                FlexButton(action=action, style="secondary" if index else "primary",
                           height="sm")
                for index, action in enumerate(actions)]) if actions else None),
        quick_reply=QuickReply(items=[QuickReplyItem(action=action) for action in items])
        if items else None)


def _shown(text: str) -> str:
    """Catalog text as a card's plain text (LINE refuses an empty one)."""
    return fit(plain(text), TEXT_LIMIT) or " "


def paged(choices: Sequence[Choice], fixed: Sequence[Choice], page: int,
          page_data: Callable[[int], str], t: Translator, room: int = QUICK_REPLIES
          ) -> list[Choice]:
    """Page `page` of `choices`, then `fixed` (always shown), within `room` quick replies:
    when they do not all fit, ‹ and › go to the other pages (`page_data`: a page's
    postback data). A page that does not exist is the nearest one."""
    space = room - len(fixed)
    if len(choices) <= space:
        return [*choices, *fixed]
    size = space - 2  # room for ‹ and ›
    if size < 1:
        raise ValueError(f"no room for choices beside {len(fixed)} fixed ones")
    pages = -(-len(choices) // size)
    page = min(max(page, 0), pages - 1)
    shown = list(choices[page * size:(page + 1) * size])
    if page > 0:
        shown.append((t("button-previous"), page_data(page - 1)))
    if page + 1 < pages:
        shown.append((t("button-next"), page_data(page + 1)))
    return [*shown, *fixed]


def fit(text: str, limit: int) -> str:
    """`text`, cut to `limit` UTF-16 units with an ellipsis when longer."""
    if _units(text) <= limit:
        return text
    while _units(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def label(text: str) -> str:
    """A button label (catalog markup) as LINE takes it."""
    return fit(plain(text), LABEL_LIMIT)


def _postbacks(choices: Sequence[Choice]) -> tuple[list[Action], list[str]]:
    """The choices as postback actions, and the legend of those numbered: labels that
    would read the same once cut are numbered (by their place) and listed in full."""
    full = [plain(text) for text, _ in choices]
    cut = [fit(text, LABEL_LIMIT) for text in full]
    clash = [index for index, text in enumerate(cut) if cut.count(text) > 1]
    labels = [fit(f"{index + 1}. {full[index]}", LABEL_LIMIT) if index in clash
              else text for index, text in enumerate(cut)]
    legend = [f"{index + 1}. {full[index]}" for index in clash]
    return [PostbackAction(label=shown, data=_data(data), display_text=fit(text, DATA_LIMIT))
            for shown, text, (_, data) in zip(labels, full, choices, strict=True)], legend


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _data(data: str) -> str:
    if len(data) > DATA_LIMIT:
        raise ValueError(f"postback data over {DATA_LIMIT} characters: {data[:40]}…")
    return data
