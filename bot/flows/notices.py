"""A notice's text in its recipient's language, the same for every channel (each adapter
adds its own widgets for the notice's buttons)."""

from bot.i18n import Translator, pick_language, translator
from bot.services.notices import Notice


def notice_text(notice: Notice, default_language: str) -> tuple[str, Translator]:
    """The text, and the translator it was written with (for the buttons' labels)."""
    t = translator(pick_language(notice.language, None, default_language))
    params = {
        **notice.params,
        **{name: by_language[t.lang] for name, by_language in notice.names.items()},
        **{name: t(key) for name, key in notice.labels.items()},
    }
    return t(notice.key, **params), t
