"""What the registration wizard shows at each step, whatever the channel: the question,
the step's choices (✅ on those already chosen), and which of Back, Skip and Cancel apply.

`bot.services.registration` holds the steps and their rules; this decides how a step reads.
Telegram lays the choices out as an inline keyboard, LINE as quick replies (or, for the
summary, a card): each adapter only translates a `Prompt`.
"""

from dataclasses import dataclass
from datetime import date

from bot import presenters
from bot.geography import Geography
from bot.i18n import Html, Translator
from bot.services import registration
from bot.services.registration import CaseDraft, Choice, Step

# Nav verbs share the wizard's button shape; no step offers a choice with these values.
BACK, SKIP, CANCEL = "_back", "_skip", "_cancel"


@dataclass(frozen=True)
class Prompt:
    """One step as shown. `choices` and `nav`: (label, value) of a `WizardButton` of
    `step`; `text` holds everything, `fields` and `note` the summary's parts again, for a
    channel that shows the summary as a card."""

    step: Step
    text: Html
    choices: tuple[tuple[str, str], ...]
    nav: tuple[tuple[str, str], ...]
    fields: tuple[tuple[Html, Html], ...] = ()
    note: Html | None = None


def prompt(draft: CaseDraft, t: Translator, geography: Geography, today: date) -> Prompt:
    step = draft.step
    fields: tuple[tuple[Html, Html], ...] = ()
    note = None
    if step is Step.SUMMARY:
        fields = tuple(presenters.draft_fields(draft, t, geography, today))
        text = Html(presenters.draft_summary(draft, t, geography, today))
        if registration.missing_steps(draft, today):
            note = t("summary-missing")
            text = Html(text + "\n\n" + note)
    elif step is Step.AGE_CONFIRM:
        text = t("ask-age_confirm", age=draft.age(today) or 0)
    elif step is Step.DUPLICATES:
        text = Html(presenters.duplicate_question(draft, t))
    elif step is Step.NEEDS and draft.needs:
        chosen = ", ".join(t(f"need-{need}") for need in draft.needs)
        text = Html(t("ask-needs") + "\n" + t("needs-chosen", needs=chosen))
    else:
        text = t(f"ask-{step}")
    nav = []
    if registration.previous_step(draft, today) is not None:
        nav.append((t("button-back"), BACK))
    if step in registration.OPTIONAL:
        nav.append((t("button-skip"), SKIP))
    nav.append((t("button-cancel"), CANCEL))
    return Prompt(step=step, text=text, nav=tuple(nav), fields=fields, note=note,
                  choices=tuple((_label(choice, t), choice.value)
                                for choice in registration.choices(draft, geography)))


def _label(choice: Choice, t: Translator) -> str:
    label = t(choice.key) if choice.key else choice.label(t.lang) or choice.value
    return ("✅ " if choice.selected else "") + label
