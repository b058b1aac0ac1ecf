"""Where to reach people: a unit reads its referrals in its linked group, else each of its
focal points in private; someone who blocked the bot is left out until they write again."""

from bot.domain.models import Role, User
from storage.interface import Repositories

Target = tuple[str, str, str]  # channel, chat id, language


def target(user: User, default_language: str) -> Target:
    return user.channel, user.channel_user_id, user.language or default_language


def reachable(users: list[User]) -> list[User]:
    return [user for user in users if user.active and user.unreachable_since is None]


async def unit_targets(repos: Repositories, unit_id: str,
                       default_language: str) -> list[Target]:
    chat = await repos.referrals.unit_chat(unit_id)
    if chat is not None:
        return [(chat.channel, chat.chat_id, chat.language)]
    return [target(user, default_language) for user in reachable(
        await repos.users.active_with_role(Role.FOCAL_POINT, unit_id))]


async def coordinator_targets(repos: Repositories, default_language: str) -> list[Target]:
    return [target(user, default_language) for user in
            reachable(await repos.users.active_with_role(Role.COORDINATOR))]
