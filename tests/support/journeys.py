"""What people do in the bot, step by step, written once for every way of driving it: the
in-process harness (`tests/handlers`) and the sandbox over HTTP (`tests/sandbox`)."""

from typing import Protocol


class Person(Protocol):
    @property
    def id(self) -> int: ...


class Chat(Protocol):
    async def send(self, user: Person, text: str) -> str: ...

    async def press(self, user: Person, label: str) -> str: ...

    async def share_location(self, user: Person, latitude: float, longitude: float) -> str: ...


async def answer_up_to_identity(chat: Chat, user: Person) -> None:
    await chat.send(user, "/new")
    await chat.send(user, "Mya")
    await chat.send(user, "Thida")
    await chat.press(user, "Skip")  # nickname
    await chat.press(user, "Female")


async def answer_from_nationality(chat: Chat, user: Person,
                                  nationality: str = "Myanmar") -> str:
    await chat.press(user, nationality)
    await chat.press(user, "Date not known")
    await chat.press(user, "11")  # approximate age
    await chat.press(user, "Bang Phli")
    await chat.press(user, "Bang Phli Yai")
    await chat.send(user, "Soi Wat Bang Phli, behind the market")
    await chat.share_location(user, 13.6052, 100.7068)
    await chat.press(user, "Found in person")
    await chat.press(user, "Family necessity")
    await chat.send(user, "Daw Hla")
    await chat.send(user, "๐๘๑-๒๓๔-๕๖๗๘")  # Thai digits, as a phone keyboard may type them
    await chat.press(user, "Agreed")
    await chat.press(user, "Education")
    await chat.press(user, "Food and supplies")
    await chat.press(user, "Done")
    return await chat.press(user, "Back to a school")
