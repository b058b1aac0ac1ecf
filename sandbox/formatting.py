"""Telegram's HTML parse mode: markup in, plain text and entities out, as the Bot API does.

The sandbox parses what the bot sends exactly as Telegram would, so a message Telegram would
refuse ("can't parse entities") is refused here too, in tests and in the web chat alike.
Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from html.parser import HTMLParser
from typing import Any

# Tag -> entity type, for the tags of https://core.telegram.org/bots/api#html-style
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message names the problem as Telegram does."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units written so far
        self.open: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        entity: dict[str, Any] = {"offset": self.length}
        if tag in _SIMPLE_TAGS:
            entity["type"] = _SIMPLE_TAGS[tag]
            if tag == "blockquote" and "expandable" in attributes:
                entity["type"] = "expandable_blockquote"
        elif tag == "span" and attributes.get("class") == "tg-spoiler":
            entity["type"] = "spoiler"
        elif tag == "a":
            href = attributes.get("href")
            if not href:
                raise EntityParseError("Can't parse entities: empty URL in a tag")
            entity.update(type="text_link", url=href)
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=attributes.get("emoji-id", ""))
        else:
            raise EntityParseError(f'Can\'t parse entities: unsupported start tag "{tag}"')
        self.open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise EntityParseError(
                f'Can\'t parse entities: unmatched end tag "{tag}"'
            )
        _, entity = self.open.pop()
        entity["length"] = self.length - entity["offset"]
        if entity["type"] == "code" and self.open and self.open[-1][1]["type"] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            return
        if entity["length"] > 0:
            self.entities.append(entity)


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    if parser.open:
        tag = parser.open[-1][0]
        raise EntityParseError(
            f'Can\'t parse entities: can\'t find end tag corresponding to start tag "{tag}"'
        )
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities
