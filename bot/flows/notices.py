"""A notice's text in its recipient's language, and the data of its buttons, the same for
every channel (each adapter adds its own widgets for the notice's buttons)."""

from bot.domain.models import AttendanceAnswer
from bot.flows.callback_data import AttendanceButton, CallbackData, SnoozeButton, action_data
from bot.flows.referrals import ACTIONS
from bot.i18n import Translator, pick_language, translator
from bot.services.notices import Notice, NoticeButton


def notice_text(notice: Notice, default_language: str) -> tuple[str, Translator]:
    """The text, and the translator it was written with (for the buttons' labels)."""
    t = translator(pick_language(notice.language, None, default_language))
    params = {
        **notice.params,
        **{name: by_language[t.lang] for name, by_language in notice.names.items()},
        **{name: t(key) for name, key in notice.labels.items()},
    }
    return t(notice.key, **params), t


def button_data(pressed: NoticeButton) -> CallbackData:
    """The button for a service's action: on a referral (`bot.flows.referrals`), or on a
    reminder (snooze it, answer it)."""
    action, target = pressed.action, pressed.target_id
    if action in ACTIONS:
        return action_data(ACTIONS[action], target)
    verb, _, value = action.partition("-")
    if verb == "snooze":
        return SnoozeButton(reminder_id=target, days=int(value))
    if verb == "attend":
        return AttendanceButton(reminder_id=target, answer=AttendanceAnswer(value))
    raise ValueError(f"no button for the action {action!r}")
