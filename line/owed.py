"""What the outbox owes a LINE chat, as LINE messages (pushed, or carried by a reply)."""

from linebot.v3.messaging import TextMessage

from bot.flows.notices import button_data, notice_text
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services.delivery import Outgoing, ShowReferral
from line.referrals import referral_message
from line.render import text_message


def owed_message(outgoing: Outgoing, runtime: Runtime) -> TextMessage | None:
    """None for the edit of a referral message, which LINE cannot make: a press on the old
    one is answered from the referral as it is then."""
    if isinstance(outgoing, ShowReferral):
        if outgoing.message_id is not None:
            return None
        return referral_message(outgoing.view, translator(outgoing.language), runtime)
    text, t = notice_text(outgoing, runtime.settings.default_language)
    # The notice's buttons as quick replies: on its referral (either side's, a typed note
    # included) or on the reminder itself (snooze, attendance).
    return text_message(text, [(t(button.label), button_data(button).pack())
                               for button in outgoing.buttons])
