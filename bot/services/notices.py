"""Messages a use case wants sent to other people once its transaction has committed."""

from pydantic import BaseModel, ConfigDict


class NoticeButton(BaseModel):
    """A button under a notice that acts on what the notice is about: `action` on the
    referral or reminder `target_id` (answer a question, accept, snooze...)."""

    model_config = ConfigDict(frozen=True)

    label: str  # catalog key
    action: str
    target_id: int


class Notice(BaseModel):
    """One message to one person, rendered in their language when it is sent.

    `params` are plain values; `names` are proper names given per language (an
    organisation's Thai and English names); `labels` are values that are catalog keys
    themselves (a role, a status).
    """

    model_config = ConfigDict(frozen=True)

    channel: str
    channel_user_id: str
    language: str | None
    key: str
    params: dict[str, str | int] = {}
    names: dict[str, dict[str, str]] = {}
    labels: dict[str, str] = {}
    buttons: list[NoticeButton] = []
