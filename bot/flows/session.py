"""Work done once per incoming event, on every channel: who is talking, in which language,
and whether they may go on."""

from pydantic import BaseModel, ConfigDict

from bot.domain.models import User
from bot.i18n import pick_language
from bot.runtime import Runtime
from bot.services import linking, reminders, users
from bot.services.access import identify


class Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    actor: User | None
    language: str
    # A catalog key: what to tell someone who may not go on (a stranger, a deactivated
    # user); None when they may.
    refusal: str | None = None


async def begin(runtime: Runtime, *, channel: str, channel_user_id: str,
                language_code: str | None, joining: bool) -> Session:
    """The person behind an event. `language_code`: what their app says it speaks;
    `joining`: the event redeems an invite, the one thing a stranger may do."""
    actor = await identify(runtime.db, channel, channel_user_id)
    language = pick_language(actor.language if actor else None, language_code,
                             runtime.settings.default_language)
    if actor is not None and actor.active:
        # One account on two apps: notices go to the one used last.
        actor = await linking.came_back_on(runtime.db, actor, channel, channel_user_id)
    if actor is not None and actor.unreachable_since is not None:
        # They blocked the bot and have come back: reminders go to them again.
        await reminders.reachable_again(runtime.db, actor)
    if actor is not None and actor.active and actor.language is None:
        # Users made by the command line have no language yet: keep the one their phone
        # uses, so that notices sent outside their own updates read the same.
        actor = await users.set_language(runtime.db, actor, language, runtime.now())
    refusal = None
    if actor is None and not joining:
        refusal = "not-registered"
    elif actor is not None and not actor.active:
        refusal = "error-deactivated"
    return Session(actor=actor, language=language, refusal=refusal)
