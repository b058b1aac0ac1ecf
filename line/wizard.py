"""/new on LINE: registering a found child, one step at a time, as on Telegram.

The steps and their rules are `bot.services.registration`'s and what each step shows is
`bot.flows.registration`'s; this only puts a step in LINE's widgets: its choices as quick
replies (a page at a time where they are more than LINE shows), a date picker for the
birth date, LINE's location picker for the place, and the summary as a card. LINE cannot
edit a sent message, so each answer is followed by the next question, as a new message.

The draft is kept in what the person is doing (`line.conversation`), written before the
next question is asked; the case saved ends the flow in the same transaction. A press on
an old question's buttons changes nothing and is answered with the current question.
"""

import hashlib
from collections.abc import Callable

from linebot.v3.messaging import DatetimePickerAction, LocationAction, Message
from linebot.v3.webhooks import LocationMessageContent, MessageEvent

from bot import presenters
from bot.domain import dates
from bot.errors import InvalidInput, StaleAction, TextExpected
from bot.flows.callback_data import WizardButton
from bot.flows.registration import BACK, CANCEL, SKIP, prompt
from bot.services import cases, registration
from bot.services.access import require_user
from bot.services.registration import CaseDraft, Step
from line import plan
from line.conversation import Doing, ending
from line.render import QUICK_REPLIES, card_message, label, paged, text_message
from line.turn import Answer, Postback, Routes, Turn

FLOW = "registration"
# The wizard's own button values on LINE (nav verbs start with "_", as BACK does): another
# page of a step's choices (with its number), and the date picker's answer.
PAGE = "_page"
PICKED = "_date"
# The birth dates the picker offers: the ages Panong registers (3–18), with room either
# side for a child whose age is asked to be confirmed.
PICKER_YEARS = 25
PICKER_START_YEARS = 10
# A card's buttons stay on LINE (quick replies go with the next message): each carries,
# after this, the fingerprint of the answers it shows, so that an old card's Confirm never
# saves answers changed since, or another child's.
SHOWN = "."


def _fingerprint(draft: CaseDraft) -> str:
    answers = draft.model_dump_json(exclude={"step", "editing", "duplicates"})
    return hashlib.sha256(answers.encode()).hexdigest()[:8]


def _draft(doing: Doing) -> CaseDraft | None:
    stored = doing.data.get(FLOW)
    return CaseDraft.model_validate(stored) if stored else None


async def _keep(turn: Turn, draft: CaseDraft) -> None:
    """Typed text goes to the wizard from now on, and the draft is stored as it is now."""
    await turn.keep(Doing(flow=FLOW, data={**turn.doing.data,
                                           FLOW: draft.model_dump(mode="json")}))


def question(turn: Turn, draft: CaseDraft, page: int = 0) -> Message:
    """The draft's current step, in LINE's widgets."""
    runtime, t = turn.runtime, turn.t
    today = runtime.today()
    shown = prompt(draft, t, runtime.geography, today)

    def data(value: str) -> str:
        return WizardButton(step=shown.step, value=value).pack()

    choices = [(text, data(value)) for text, value in shown.choices]
    nav = [(text, data(value)) for text, value in shown.nav]
    if shown.step is Step.SUMMARY:
        buttons = [(text, data(f"{value}{SHOWN}{_fingerprint(draft)}"))
                   for text, value in shown.choices]
        return card_message(t("summary-title"), shown.fields, note=shown.note, buttons=buttons,
                            alt_text=shown.text, choices=nav)
    text, actions = shown.text, []
    if shown.step is Step.BIRTH_DATE:
        text = t("line-ask-birth_date")
        actions = [DatetimePickerAction(
            label=label(t("line-pick-date")), data=data(PICKED), mode="date",
            initial=dates.years_before(today, PICKER_START_YEARS).isoformat(),
            min=dates.years_before(today, PICKER_YEARS).isoformat(), max=today.isoformat())]
    elif shown.step is Step.LOCATION:
        text = t("line-ask-location")
        actions = [LocationAction(label=label(t("line-share-location")))]
    return text_message(text, paged(choices, nav, page, lambda n: data(f"{PAGE}{n}"), t,
                                    room=QUICK_REPLIES - len(actions)), actions)


async def start(turn: Turn) -> Answer:
    """/new. A registration already under way is resumed, never silently thrown away:
    only /cancel discards it."""
    require_user(turn.actor)
    draft = _draft(turn.doing)
    intro = "new-resumed"
    if draft is None:
        draft, intro = registration.start(), "new-intro"
    await _keep(turn, draft)
    return [text_message(turn.t(intro)), question(turn, draft)]


async def _apply(turn: Turn, draft: CaseDraft,
                 change: Callable[[CaseDraft], CaseDraft]) -> Answer:
    """An answer: the next question; a bad or stale one is explained, nothing changes, and
    the question is asked again."""
    try:
        changed = change(draft)
    except (InvalidInput, StaleAction) as error:
        return [text_message(turn.t(error.key, **error.params)), question(turn, draft)]
    await _keep(turn, changed)
    return [question(turn, changed)]


async def answer(turn: Turn) -> Answer:
    """What they send while registering: typed text, a location, /cancel; anything else
    (a sticker, a photo) is not an answer."""
    if turn.command == "/cancel":
        return await _cancel(turn)
    draft = _draft(turn.doing)
    if draft is None:  # the draft expired under them
        await turn.keep(turn.doing.without(FLOW))
        return [text_message(turn.t("not-understood"))]
    today = turn.runtime.today()
    typed = turn.text
    if typed is not None:
        return await _apply(turn, draft,
                            lambda draft: registration.answer_text(draft, typed, today))
    message = turn.event.message if isinstance(turn.event, MessageEvent) else None
    if isinstance(message, LocationMessageContent):
        return await _apply(turn, draft, lambda draft: registration.answer_location(
            draft, message.latitude, message.longitude, today))
    error = TextExpected() if draft.step in registration.TEXT_STEPS else InvalidInput()
    return [text_message(turn.t(error.key)), question(turn, draft)]


async def _press(turn: Turn) -> Answer:
    pressed = WizardButton.unpack(turn.postback)
    draft = _draft(turn.doing)
    if pressed is None or draft is None:
        raise StaleAction()
    if pressed.step != draft.step:  # a button of an earlier question
        return [text_message(turn.t(StaleAction.key)), question(turn, draft)]
    runtime = turn.runtime
    today, value = runtime.today(), pressed.value
    if draft.step is Step.SUMMARY and not value.startswith("_"):  # a card's, not nav
        value, _, shown = value.partition(SHOWN)
        if shown != _fingerprint(draft):  # a card of other answers, or forged
            return [text_message(turn.t(StaleAction.key)), question(turn, draft)]
    if value == CANCEL:
        return await _cancel(turn)
    if value.startswith(PAGE):
        page = value.removeprefix(PAGE)
        return [question(turn, draft, int(page) if page.isdigit() else 0)]
    if value == PICKED and draft.step is Step.BIRTH_DATE:
        # The picker's date (ISO), read by the rule a typed date goes through.
        picked = turn.params.get("date")
        return await _apply(turn, draft, lambda draft: registration.answer_text(
            draft, picked if isinstance(picked, str) else "", today))
    if value == BACK:
        return await _apply(turn, draft, lambda draft: _stale_if_none(
            registration.go_back(draft, today)))
    if value == SKIP:
        return await _apply(turn, draft, lambda draft: registration.skip(draft, today))
    if draft.step is Step.SUMMARY and value == "confirm":
        return await _confirm(turn, draft)
    if draft.step is Step.SUMMARY and value == "edit":
        return await _apply(turn, draft,
                            lambda draft: draft.model_copy(update={"step": Step.EDIT}))
    if draft.step is Step.DUPLICATES:
        return await _resolve_duplicate(turn, draft, value)
    return await _apply(turn, draft, lambda draft: registration.answer_choice(
        draft, value, runtime.geography, today))


def _stale_if_none(draft: CaseDraft | None) -> CaseDraft:
    if draft is None:
        raise StaleAction()
    return draft


async def _confirm(turn: Turn, draft: CaseDraft) -> Answer:
    runtime, t = turn.runtime, turn.t
    today = runtime.today()
    missing = registration.missing_steps(draft, today)
    if missing:
        draft = draft.model_copy(update={"step": missing[0], "editing": None})
        await _keep(turn, draft)
        return [text_message(t("summary-missing")), question(turn, draft)]
    duplicates = await registration.find_duplicates(
        runtime.db, turn.actor, draft, today=today, now=runtime.now(),
        reveals_per_day=runtime.settings.duplicate_reveals_per_day)
    if duplicates:
        draft = draft.model_copy(update={"step": Step.DUPLICATES, "duplicates": duplicates})
        await _keep(turn, draft)
        return [question(turn, draft)]
    return await _register(turn, draft)


async def _register(turn: Turn, draft: CaseDraft) -> Answer:
    runtime = turn.runtime
    case = await registration.register_child(
        runtime.db, turn.actor, draft, code_prefix=runtime.settings.case_code_prefix,
        rules=runtime.routing, now=runtime.now(), today=runtime.today(),
        ending=ending(turn.user_id, turn.doing, FLOW))
    turn.doing = turn.doing.without(FLOW)  # as stored with the case
    return [text_message(turn.t("line-new-registered", code=case.code)),
            *await plan.offer_plan(turn, case.id)]


async def _resolve_duplicate(turn: Turn, draft: CaseDraft, value: str) -> Answer:
    """Register anyway, or open the existing case (and stop registering)."""
    if value == "register":
        return await _register(turn, draft)
    if value not in {str(duplicate.case_id) for duplicate in registration.revealed(draft)}:
        return [text_message(turn.t(StaleAction.key)), question(turn, draft)]
    runtime, t = turn.runtime, turn.t
    existing = await cases.glimpse_case(runtime.db, turn.actor, int(value))
    if isinstance(existing, cases.CaseCard):
        text = presenters.case_card(existing, t, runtime.geography, runtime.today(),
                                    runtime.settings.tz)
    else:
        text = presenters.case_glimpse(existing, t, runtime.settings.tz)
    await turn.keep(turn.doing.without(FLOW))
    return [text_message(t("new-opened-existing")), text_message(text)]


async def _cancel(turn: Turn) -> Answer:
    await turn.keep(turn.doing.without(FLOW))
    return [text_message(turn.t("new-cancelled"))]


ROUTES = Routes(
    commands={"/new": start},
    postbacks=[Postback(lambda data: WizardButton.unpack(data) is not None, _press)],
    flows={FLOW: answer},
)
