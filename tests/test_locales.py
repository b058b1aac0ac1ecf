"""The Thai and English catalogs say the same things, and say everything the code asks for."""

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.config import LOCALES_DIR, PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.domain.ages import AgeGroup
from bot.domain.identity import IdentityType
from bot.domain.models import (
    AttendanceAnswer,
    CaseStatus,
    Consent,
    DeclineReason,
    DropoutCause,
    EducationWish,
    Nationality,
    Need,
    Outcome,
    ReferralStatus,
    ReminderKind,
    Role,
    Sex,
    WithdrawReason,
)
from bot.errors import InvalidDate, InvalidName, InvalidThaiId
from bot.flows import notes as flow_notes
from bot.flows.choices import REMIND_IN_DAYS
from bot.i18n import translator
from bot.reports import LEAD_STATUSES
from bot.services import referrals
from bot.services.imports import LeadResult
from bot.services.registration import EDIT_GROUPS, Step
from bot.services.reminders import SNOOZE_DAYS
from handlers.commands import COORDINATORS, EVERYONE, FOCAL_POINTS, TEACHERS


def _variables(node: object) -> set[str]:
    found: set[str] = set()

    class Collector(Visitor):
        def visit_VariableReference(self, reference: ast.VariableReference) -> None:
            found.add(reference.id.name)

    Collector().visit(node)
    return found


def catalog(language: str) -> dict[str, set[str]]:
    """Message id → the variables it uses, over every file of one language."""
    messages: dict[str, set[str]] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path}: cannot parse {junk[0].content[:60]!r}"
        for entry in resource.body:
            if isinstance(entry, ast.Message):
                assert entry.id.name not in messages, f"{entry.id.name} defined twice"
                messages[entry.id.name] = _variables(entry)
    return messages


def test_both_catalogs_have_the_same_messages_with_the_same_placeholders() -> None:
    thai, english = catalog("th"), catalog("en")
    assert sorted(set(thai) ^ set(english)) == []
    differing = {key: (thai[key], english[key]) for key in thai if thai[key] != english[key]}
    assert differing == {}


def keys_the_code_builds() -> set[str]:
    """Keys made from values at run time, e.g. f"sex-{sex}"."""
    keys = {f"sex-{v}" for v in Sex} | {f"id-type-{v}" for v in IdentityType}
    keys |= {f"nationality-{v}" for v in Nationality} | {f"cause-{v}" for v in DropoutCause}
    keys |= {f"consent-{v}" for v in Consent} | {f"need-{v}" for v in Need}
    keys |= {f"wish-{v}" for v in EducationWish} | {f"role-{v}" for v in Role}
    keys |= {f"help-{v}" for v in Role} | {f"status-{v}" for v in CaseStatus}
    keys |= {f"age-group-{v}" for v in AgeGroup} | {f"edit-{v}" for v in EDIT_GROUPS}
    keys |= {f"ask-{step}" for step in Step if step is not Step.SUMMARY}
    keys |= {f"command-{name}" for name in EVERYONE + TEACHERS + FOCAL_POINTS + COORDINATORS}
    keys |= {f"lead-result-{result}" for result in LeadResult}
    keys |= {f"lead-status-{status}" for status in LEAD_STATUSES}
    keys |= {f"lead-marked-{result}" for result in LeadResult}
    keys |= {f"import-error-{reason}" for reason in (
        "empty", "encoding", "not-a-table", "missing-columns", "too-many-rows", "too-large",
        "ref", "duplicate-in-file", "sex", "district", "birth")}
    keys |= {f"referral-status-{v}" for v in ReferralStatus} | {f"outcome-{v}" for v in Outcome}
    keys |= {f"decline-{v}" for v in DeclineReason}
    keys |= {f"withdraw-{v}" for v in (*WithdrawReason, referrals.NO_UNIT)}
    keys |= {f"note-ask-{kind}" for kind in flow_notes.KINDS}
    keys |= {f"note-saved-{kind}" for kind in flow_notes.REFERRAL_KINDS}
    keys |= {f"history-{action}" for action in ("choose", "send", "accept", "decline", "ask",
                                                "answer", "start", "complete", "withdraw",
                                                "reroute", "dismiss", "reopen")}
    keys |= {f"reminder-{kind}" for kind in ReminderKind}
    keys |= {f"reminder-what-{kind}" for kind in ReminderKind}
    keys |= {f"button-attend-{a}" for a in AttendanceAnswer}
    keys |= {f"attendance-answered-{a}" for a in AttendanceAnswer}
    keys |= {f"button-snooze-{days}" for days in SNOOZE_DAYS}
    keys |= {f"button-remind-in-{days}" for days in REMIND_IN_DAYS}
    keys |= {InvalidThaiId(r).key for r in ("length", "first-digit", "office", "checksum")}
    keys |= {InvalidDate(r).key for r in ("format", "impossible", "future", "too-old",
                                          "not-coming", "too-far")}
    keys |= {InvalidName(r).key for r in ("empty", "too-long", "characters")}
    return keys


def keys_written_in_the_code() -> set[str]:
    literal = re.compile(r"""(?:\bt\(|key\s*=\s*|_keyed\(|label_key\s*=\s*)"([a-z][\w-]*)"|"""
                         r"""\b(?:key|label)\s*=\s*"([a-z][\w-]*)\"""")
    keys = set()
    for package in ("bot", "handlers"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for match in literal.finditer(path.read_text(encoding="utf-8")):
                keys.add(match.group(1) or match.group(2))
    return keys


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_the_code_asks_for_exists(language: str) -> None:
    wanted = keys_the_code_builds() | keys_written_in_the_code()
    # _keyed("sex", ...) style prefixes are covered by the enum-built keys above.
    wanted -= {"age-confirm", "cause", "consent", "duplicates", "edit", "found", "id-type",
               "nationality", "need", "needs", "sex", "summary", "wish"}
    assert sorted(wanted - set(catalog(language))) == []


# Messages that are only layout around values (or a proper name), with no words to translate.
LAYOUT_ONLY = frozenset({
    "card-line", "error-not-registered", "users-line", "mycases-line", "registered-by",
    "case-card-title", "age-with-birth-date", "card-referral-line", "card-history-line",
    "card-history-note", "history-system", "plan-line", "button-withdraw-one", "move-line",
    "reminders-line", "summary-count-line", "summary-outcome-count", "button-xlsx",
    "button-open-lead", "summary-pair", "line-referral-choice",
})


def test_thai_catalog_is_written_in_thai() -> None:
    thai_script = re.compile("[\u0e00-\u0e7f]")
    english_only = [key for key, path in _texts("th").items()
                    if not thai_script.search(path) and not key.startswith("value-")
                    and key not in LAYOUT_ONLY]
    assert english_only == []


def _texts(language: str) -> dict[str, str]:
    texts = {}
    for path in sorted(Path(LOCALES_DIR / language).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            if isinstance(entry, ast.Message) and entry.value is not None:
                texts[entry.id.name] = "".join(
                    element.value for element in entry.value.elements
                    if isinstance(element, ast.TextElement))
    return texts


def test_typed_text_is_escaped_once_and_a_rendered_message_is_not_escaped_again() -> None:
    t = translator("en")
    by = t("registered-by", name="Kru O'Neil & <Som>", organisation="A & B", date="1 Jan")
    assert by == "Kru O&#x27;Neil &amp; &lt;Som&gt;, A &amp; B, 1 Jan"
    line = t("card-line", label=t("field-registered"), value=by)
    assert line.endswith(":</b> Kru O&#x27;Neil &amp; &lt;Som&gt;, A &amp; B, 1 Jan")
    assert t("card-line", label="<i>", value="<b>x</b>") == "<b>&lt;i&gt;:</b> &lt;b&gt;x&lt;/b&gt;"
