"""Message catalogs (Project Fluent, one `.ftl` file per feature and language).

The language is chosen once per update: the user's saved choice, then the messenger's
language, then the deployment's default (Thai).

Messages are HTML (the catalogs may use <b> and <i>). Every text value passed in is escaped
here, so a child's name can never inject markup; a message already rendered (`Html`, what
a translator returns) goes into another one as it is, so it is not escaped twice.
"""

import html
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

from bot.config import LOCALES_DIR, SUPPORTED_LANGUAGES


class Html(str):
    """A message rendered from the catalogs: HTML, unlike a plain `str`, which is text."""

    __slots__ = ()


class Translator:
    def __init__(self, lang: str, bundle: FluentBundle) -> None:
        self.lang = lang
        self._bundle = bundle
        # Messages without parameters always read the same: formatted once, on first use.
        self._fixed: dict[str, Html] = {}

    def __call__(self, key: str, **params: Any) -> Html:
        if not params and key in self._fixed:
            return self._fixed[key]
        message = self._bundle.get_message(key) if self._bundle.has_message(key) else None
        if message is None or message.value is None:
            raise KeyError(f"no message {key!r} in the {self.lang} catalog")
        escaped = {name: html.escape(value)
                   if isinstance(value, str) and not isinstance(value, Html) else value
                   for name, value in params.items()}
        rendered, errors = self._bundle.format_pattern(message.value, escaped)
        if errors:
            raise ValueError(f"{self.lang}:{key}: {errors[0]}")
        text = Html(rendered)
        if not params:
            self._fixed[key] = text
        return text


@cache
def _bundle(lang: str, directory: Path) -> FluentBundle:
    # use_isolating=False: bidi isolation marks around every value would show as stray
    # characters in chat clients and break copying codes such as SPK-2568-00042.
    bundle = FluentBundle([lang], use_isolating=False)
    files = sorted((directory / lang).glob("*.ftl"))
    if not files:
        raise FileNotFoundError(f"no catalog files in {directory / lang}")
    for path in files:
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


def translator(lang: str, directory: Path = LOCALES_DIR) -> Translator:
    """The one translator of `lang`: the same object on every update, so what it has
    formatted, and keyboards built with it, are reused."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    return _translator(lang, directory)


@cache
def _translator(lang: str, directory: Path) -> Translator:
    return Translator(lang, _bundle(lang, directory))


# Each language as its speakers write it, for the language choice.
LANGUAGE_NAMES = {"th": "ไทย", "en": "English"}


def pick_language(saved: str | None, messenger: str | None, default: str) -> str:
    if saved in SUPPORTED_LANGUAGES:
        return saved
    if messenger:
        primary = messenger.split("-")[0].lower()
        if primary in SUPPORTED_LANGUAGES:
            return primary
    return default
