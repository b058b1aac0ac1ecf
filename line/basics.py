"""What every person on LINE can do: be welcomed, ask for help, choose a language, link
their Telegram account, and cancel (when nothing is under way)."""

from bot.flows.callback_data import LanguageButton
from bot.i18n import LANGUAGE_NAMES, pick_language, translator
from bot.services import linking, onboarding, users
from line import richmenu
from line.render import text_message
from line.turn import Answer, Postback, Routes, Turn
from storage.bot_state import BOT_USERNAME


async def welcome(turn: Turn) -> Answer:
    """A follow, /start or /help: who they are here, and what they can do."""
    t, actor = turn.t, turn.actor
    return [text_message(t("start-welcome", name=actor.display_name) + "\n\n"
                         + t(f"help-{actor.role}"))]


async def _ask_language(turn: Turn) -> Answer:
    return [text_message(turn.t("language-ask"), [
        (name, LanguageButton(language=code).pack()) for code, name in LANGUAGE_NAMES.items()])]


async def _set_language(turn: Turn) -> Answer:
    pressed = LanguageButton.unpack(turn.postback)
    assert pressed is not None
    runtime = turn.runtime
    changed = await users.set_language(runtime.db, turn.actor, pressed.language, runtime.now())
    await richmenu.link(runtime, turn.messaging, turn.user_id, changed)  # in that language
    t = translator(pick_language(changed.language, None, runtime.settings.default_language))
    return [text_message(t("language-set"))]


async def _link_code(turn: Turn) -> Answer:
    """/link: a code to use Panong on Telegram too, as the same account."""
    runtime, t = turn.runtime, turn.t
    made = await linking.make_code(runtime.db, turn.actor, now=runtime.now())
    text = t("link-code", code=made.code, minutes=linking.MINUTES)
    username = runtime.settings.bot_username \
        or await runtime.db.read.bot_state.get(BOT_USERNAME)
    if username:
        text += "\n" + t("link-code-telegram", link=onboarding.invite_link(username, made.code))
    return [text_message(text)]


async def _cancel_nothing(turn: Turn) -> Answer:
    return [text_message(turn.t("cancel-nothing"))]


ROUTES = Routes(
    commands={"/start": welcome, "/help": welcome, "/language": _ask_language,
              "/link": _link_code, "/cancel": _cancel_nothing},
    postbacks=[Postback(lambda data: LanguageButton.unpack(data) is not None, _set_language)],
)
