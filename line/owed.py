"""What the outbox owes a LINE chat, as LINE messages (pushed, or carried by a reply)."""

from linebot.v3.messaging import TextMessage

from bot.flows.callback_data import action_data
from bot.flows.notices import notice_text
from bot.flows.referrals import ACTIONS, Side
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
    # The notice's buttons that LINE can act on: a unit's answers (a reminder's accept).
    return text_message(text, [
        (t(button.label), action_data(ACTIONS[button.action], button.target_id).pack())
        for button in outgoing.buttons
        if button.action in ACTIONS and not ACTIONS[button.action].typed
        and ACTIONS[button.action].side is Side.UNIT])
