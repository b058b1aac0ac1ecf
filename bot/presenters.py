"""Texts built from several catalog messages: summary cards, case cards, lists.

Plain strings with the catalogs' light HTML, no messenger objects, so another channel can
reuse them. User data only ever enters through catalog parameters, which are escaped.
"""

import html
import re
from datetime import date, datetime, tzinfo
from typing import NamedTuple

from bot.domain import ages, dates, identity, phone
from bot.domain.identity import IdentityType
from bot.domain.models import Case, Child, Need, Organisation, ReferralStatus
from bot.domain.text import fit
from bot.geography import Geography
from bot.i18n import Html, Translator
from bot.services.cases import CaseCard, CaseGlimpse, CasePage, ReferralLine
from bot.services.imports import LeadPage
from bot.services.onboarding import INVITES_PAGE_SIZE, InvitePage, PendingInvite
from bot.services.pushes import Usage
from bot.services.referrals import Change, MovePlan, Plan, ReferralPage, ReferralView
from bot.services.registration import CaseDraft, revealed
from bot.services.reminders import Overview
from bot.services.summaries import Period, Summary
from bot.services.users import UserPage
from storage.leads import Lead
from storage.referrals import HistoryEntry

NOT_GIVEN = "value-not-given"
_TAG = re.compile(r"</?[a-z]+[^>]*>")


def _place(geography: Geography, t: Translator, district: str | None,
           subdistrict: str | None) -> str:
    parts = []
    if subdistrict and (place := geography.subdistrict(subdistrict)):
        parts.append(place.name(t.lang))
    if district and (place := geography.district(district)):
        parts.append(place.name(t.lang))
    return ", ".join(parts) or t(NOT_GIVEN)


def _identity(t: Translator, kind: IdentityType | None, number: str | None,
              masked: bool) -> str:
    if kind is None:
        return t(NOT_GIVEN)
    label = t(f"id-type-{kind}")
    if kind is IdentityType.NONE or not number:
        return label
    if masked:
        shown = identity.mask_identity(kind, number)
    elif kind is IdentityType.THAI_ID:
        shown = identity.format_thai_id(number)
    else:
        shown = number
    return f"{label} {shown}"


def _age(t: Translator, born: date | None, approx_age: int | None, today: date) -> str:
    if born is not None:
        age = dates.age_on(born, today)
        text = t("age-with-birth-date", age=age, born=dates.format_date(born, t.lang))
    elif approx_age is not None:
        age = approx_age
        text = t("age-approximate", age=age)
    else:
        return t(NOT_GIVEN)
    group = ages.age_group(age)
    return text + " · " + (t(f"age-group-{group}") if group else t("age-group-outside"))


def _guardian(t: Translator, name: str | None, phone_number: str | None) -> str:
    shown_phone = phone.format_phone(phone_number) if phone_number else None
    parts = [part for part in (name, shown_phone) if part]
    return " · ".join(parts) if parts else t(NOT_GIVEN)


def _needs(t: Translator, needs: list[Need] | tuple[Need, ...]) -> str:
    """In the catalog's order (education first), whatever order they were stored in."""
    if not needs:
        return t("needs-none")
    return ", ".join(t(f"need-{need}") for need in Need if need in needs)


def _line(t: Translator, label_key: str, value: str) -> str:
    return t("card-line", label=t(label_key), value=value)


def draft_fields(draft: CaseDraft, t: Translator, geography: Geography,
                 today: date) -> list[tuple[Html, Html]]:
    """The summary's lines as (label, value), both catalog markup (the answers escaped):
    lines of text on Telegram, the rows of a card on LINE."""
    names = " ".join(p for p in (draft.given_name, draft.family_name) if p)
    if draft.nickname:
        names += f" ({draft.nickname})"
    fields = [
        ("field-name", names or t(NOT_GIVEN)),
        ("field-sex", t(f"sex-{draft.sex}") if draft.sex else t(NOT_GIVEN)),
        ("field-identity", _identity(t, draft.identity_type, draft.identity_number,
                                     masked=False)),
        ("field-nationality", t(f"nationality-{draft.nationality}")
         if draft.nationality else t(NOT_GIVEN)),
        ("field-age", _age(t, draft.birth_date, draft.approx_age, today)),
        ("field-place", _place(geography, t, draft.district_code, draft.subdistrict_code)),
        ("field-address", draft.address or t(NOT_GIVEN)),
        ("field-location", t("location-shared") if draft.latitude is not None
         else t(NOT_GIVEN)),
        ("field-found", t("found-yes") if draft.found else t("found-no")),
        ("field-cause", t(f"cause-{draft.cause}") if draft.cause else t("cause-unknown")),
        ("field-guardian", _guardian(t, draft.guardian_name, draft.guardian_phone)),
        ("field-consent", t(f"consent-{draft.consent}") if draft.consent else t(NOT_GIVEN)),
        ("field-needs", _needs(t, draft.needs)),
        ("field-wish", t(f"wish-{draft.wish}") if draft.wish else t(NOT_GIVEN)),
    ]
    return [(t(label), value if isinstance(value, Html) else Html(html.escape(value)))
            for label, value in fields]


def draft_summary(draft: CaseDraft, t: Translator, geography: Geography, today: date) -> str:
    lines = [t("summary-title")]
    lines += [t("card-line", label=label, value=value)
              for label, value in draft_fields(draft, t, geography, today)]
    return "\n".join(lines)


class CardParts(NamedTuple):
    """A case card in parts, for a channel that lays them out itself: labels and values,
    then titled sections of lines (catalog text, light markup)."""

    title: str
    fields: list[tuple[str, str]]
    sections: list[tuple[str, list[str]]]


def case_card(card: CaseCard, t: Translator, geography: Geography, today: date,
              tz: tzinfo, *, full_identity: bool = False) -> str:
    """The case as its holders see it; `full_identity` unmasks the identity number, for the
    unit that took a referral and must enrol the child."""
    parts = case_card_parts(card, t, geography, today, tz, full_identity=full_identity)
    lines = [parts.title, *(t("card-line", label=label, value=value)
                            for label, value in parts.fields)]
    for title, section in parts.sections:
        lines += ["", title, *section]
    return "\n".join(lines)


def case_card_parts(card: CaseCard, t: Translator, geography: Geography, today: date,
                    tz: tzinfo, *, full_identity: bool = False) -> CardParts:
    """What `case_card` shows, in parts."""
    case: Case = card.case
    child: Child = card.child
    name = child.full_name + (f" ({child.nickname})" if child.nickname else "")
    fields = [
        ("field-status", t(f"status-{case.status}")),
        ("field-name", name),
        ("field-sex", t(f"sex-{child.sex}")),
        ("field-identity", _identity(t, child.identity_type, child.identity_number,
                                     masked=not full_identity)),
        ("field-nationality", t(f"nationality-{child.nationality}")),
        ("field-age", _age(t, child.birth_date, today.year - child.birth_year
                           if child.birth_estimated else None, today)),
        ("field-place", _place(geography, t, case.district_code, case.subdistrict_code)),
        ("field-found", t("found-yes") if case.found else t("found-no")),
        ("field-cause", t(f"cause-{case.dropout_cause}") if case.dropout_cause
         else t("cause-unknown")),
        ("field-guardian", _guardian(t, child.guardian_name, child.guardian_phone)),
        ("field-consent", t(f"consent-{case.consent}")),
        ("field-needs", _needs(t, case.needs)),
        ("field-wish", t(f"wish-{case.education_wish}")),
        ("field-registered", t("registered-by", name=card.teacher_name,
                               organisation=card.organisation.short_name(t.lang),
                               date=local_date(case.created_at, t, tz))),
        *([("field-duplicate", card.possible_duplicate_code)]
          if card.possible_duplicate_code else []),
    ]
    return CardParts(title=t("case-card-title", code=case.code),
                     fields=[(t(label), value) for label, value in fields],
                     sections=_referral_section(card, t, tz))


def _referral_section(card: CaseCard, t: Translator, tz: tzinfo) -> list[tuple[str, list[str]]]:
    if not card.referrals:
        return []
    sections = [(t("card-referrals-title"), [_referral_line(line, t) for line in card.referrals])]
    if card.history:
        sections.append((t("card-history-title"),
                         [_history_line(entry, t, tz) for entry in card.history]))
    return sections


def _unit_name(t: Translator, unit: Organisation | None) -> str:
    return unit.short_name(t.lang) if unit else t("referral-to-coordinators")


def _referral_state(t: Translator, status: ReferralStatus, *, taken_by: str | None,
                    reason: str | None, outcome: str | None) -> str:
    """A referral's status in words, with who took it or why it ended."""
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS) and taken_by:
        return t(f"referral-status-{status}-by", name=taken_by)
    if status is ReferralStatus.COMPLETED and outcome:
        return t("referral-status-completed-with", outcome=t(f"outcome-{outcome}"))
    if status is ReferralStatus.DECLINED and reason:
        return t("referral-status-declined-because", reason=t(f"decline-{reason}"))
    if status is ReferralStatus.CANCELLED and reason:
        return t("referral-status-cancelled-because", reason=t(f"withdraw-{reason}"))
    return t(f"referral-status-{status}")


def _referral_line(line: ReferralLine, t: Translator) -> str:
    referral = line.referral
    return t("card-referral-line", need=t(f"need-{referral.need}"),
             unit=_unit_name(t, line.unit),
             state=_referral_state(t, referral.status, taken_by=line.taken_by,
                                   reason=referral.reason, outcome=referral.outcome))


def _history_line(entry: HistoryEntry, t: Translator, tz: tzinfo) -> str:
    after = entry.after or {}
    text = t("card-history-line", date=local_date(entry.at, t, tz),
             who=entry.actor_name or t("history-system"),
             what=t(f"history-{entry.action.removeprefix('referral.')}"))
    note = after.get("note")
    return text + (t("card-history-note", note=note) if note else "")


def case_glimpse(glimpse: CaseGlimpse, t: Translator, tz: tzinfo) -> str:
    return t("case-glimpse", code=glimpse.code, status=t(f"status-{glimpse.status}"),
             organisation=glimpse.organisation.name(t.lang),
             date=local_date(glimpse.created_at, t, tz))


def case_list(page: CasePage, t: Translator, geography: Geography, tz: tzinfo) -> str:
    if not page.total:
        return t("mycases-empty")
    lines = [t("mycases-title", total=page.total, page=page.page + 1, pages=page.pages)]
    for summary in page.cases:
        district = geography.district(summary.district_code)
        lines.append(t("mycases-line", code=summary.code, name=summary.child_name,
                       status=t(f"status-{summary.status}"),
                       district=district.name(t.lang) if district else summary.district_code,
                       date=local_date(summary.created_at, t, tz)))
    return "\n".join(lines)


def user_list(page: UserPage, t: Translator) -> str:
    lines = [t("users-title", page=page.page + 1, pages=page.pages)]
    for user in page.users:
        organisation = page.organisations.get(user.organisation_id)
        lines.append(t("users-line", name=user.display_name, role=t(f"role-{user.role}"),
                       organisation=organisation.short_name(t.lang) if organisation
                       else user.organisation_id,
                       state=t("users-active") if user.active else t("users-inactive")))
    return "\n".join(lines)


def duplicate_question(draft: CaseDraft, t: Translator) -> str:
    """The possible duplicates by code, save those withheld from this teacher today."""
    shown = [duplicate.code for duplicate in revealed(draft)]
    if not shown:
        return t("ask-duplicates-withheld")
    text = t("ask-duplicates", codes=", ".join(shown))
    if len(shown) < len(draft.duplicates):
        text += "\n" + t("duplicates-more-withheld")
    return text


def invite_list(page: InvitePage, t: Translator, tz: tzinfo) -> str:
    if not page.invites:
        return t("invites-none")
    lines = [t("invites-title", page=page.page + 1, pages=page.pages)]
    first = page.page * INVITES_PAGE_SIZE + 1
    for number, pending in enumerate(page.invites, start=first):
        lines.append(t("invites-line", number=number, **invite_names(pending, t),
                       date=local_date(pending.invite.expires_at, t, tz)))
    return "\n".join(lines)


def invite_names(pending: PendingInvite, t: Translator) -> dict[str, str]:
    """The role, organisation and maker of an invite, as its line and question name them."""
    organisation = pending.organisation
    return {"role": t(f"role-{pending.invite.role}"),
            "organisation": organisation.short_name(t.lang) if organisation
            else pending.invite.organisation_id,
            "creator": pending.creator.display_name if pending.creator
            else t("invites-from-server")}


def local_date(moment: datetime, t: Translator, tz: tzinfo) -> str:
    """Dates as the reader lives them: in the deployment's time zone, Buddhist era in Thai."""
    return dates.format_date(moment.astimezone(tz).date(), t.lang)


# --- referrals ----------------------------------------------------------------------------


def referral_text(view: ReferralView, t: Translator, geography: Geography,
                  today: date) -> str:
    """What a unit sees of a referral: no name, no identity number, no guardian contact."""
    referral = view.referral
    district = geography.district(view.district_code)
    age = view.age(today)
    return "\n".join([
        t("referral-title", need=t(f"need-{referral.need}"), code=view.case_code),
        _line(t, "field-age", t("age-approximate", age=age) if view.birth_estimated
              else t("age-years", age=age)),
        _line(t, "field-sex", t(f"sex-{view.sex}")),
        _line(t, "field-nationality", t(f"nationality-{view.nationality}")),
        _line(t, "field-place", district.name(t.lang) if district else view.district_code),
        _line(t, "field-wish", t(f"wish-{view.wish}")),
        _line(t, "field-consent", t(f"consent-{view.consent}")),
        _line(t, "field-unit", _unit_name(t, view.unit)),
        _line(t, "field-status", _referral_state(
            t, referral.status, taken_by=view.accepted_by_name, reason=referral.reason,
            outcome=referral.outcome)),
    ])


def plan_text(plan: Plan, t: Translator) -> str:
    if not plan.views:
        return t("plan-nothing", code=plan.case.code)
    lines = [t("plan-title", code=plan.case.code)]
    lines += [t("plan-line", need=t(f"need-{view.referral.need}"),
                unit=_unit_name(t, view.unit)) for view in plan.views]
    return "\n".join(lines)


def sent_text(changes: list[Change], t: Translator) -> str:
    """What the teacher is told once referrals are on their way."""
    lines = [t("plan-sent")]
    lines += [t("plan-line", need=t(f"need-{change.view.referral.need}"),
                unit=_unit_name(t, change.view.unit)) for change in changes
              if change.view.referral.status is not ReferralStatus.CANCELLED]
    return "\n".join(lines)


def referral_list(page: ReferralPage, t: Translator, geography: Geography, today: date,
                  tz: tzinfo, *, title: str, empty: str) -> str:
    """/inbox and /queue: one line per referral, the longest-waiting first."""
    if not page.total:
        return t(empty)
    lines = [t(title, total=page.total, page=page.page + 1, pages=page.pages)]
    for view in page.views:
        referral = view.referral
        district = geography.district(view.district_code)
        lines.append(t(
            "referral-list-line", code=view.case_code, need=t(f"need-{referral.need}"),
            age=view.age(today),
            district=district.name(t.lang) if district else view.district_code,
            state=_referral_state(t, referral.status, taken_by=view.accepted_by_name,
                                  reason=referral.reason, outcome=referral.outcome),
            unit=_unit_name(t, view.unit),
            date=local_date(referral.sent_at or referral.created_at, t, tz)))
    return "\n".join(lines)


def move_text(plan: MovePlan, t: Translator, geography: Geography) -> str:
    district = geography.district(plan.case.district_code)
    place = district.name(t.lang) if district else plan.case.district_code
    if not plan.items:
        return t("move-nothing", code=plan.case.code, district=place)
    lines = [t("move-title", code=plan.case.code, district=place)]
    lines += [t("move-line", need=t(f"need-{item.view.referral.need}"),
                old=_unit_name(t, item.view.unit), new=_unit_name(t, item.proposed))
              for item in plan.items]
    return "\n".join(lines)


# --- reminders ----------------------------------------------------------------------------


def reminder_overview(found: Overview, t: Translator, tz: tzinfo) -> str:
    """/reminders and `panong reminders`: what is overdue, due within a day, and failed."""
    lines = [t("reminders-title")]
    for title, count, listed in (("reminders-overdue", found.overdue_count, found.overdue),
                                 ("reminders-due", found.due_count, found.due)):
        lines.append(t(title, count=count))
        lines += [t("reminders-line", kind=t(f"reminder-what-{r.kind}"),
                    code=found.codes.get(r.case_id, "?"),
                    when=local_time(r.due_at, t, tz)) for r in listed]
    lines.append(t("reminders-failed", count=found.failed_count))
    lines += [t("reminders-failed-line", chat=m.chat_id, error=m.last_error or "?")
              for m in found.failed]
    return "\n".join(lines)


def push_usage(usage: Usage, t: Translator) -> str:
    """The month's LINE pushes against the plan's budget."""
    return t("reminders-line-pushes", month=usage.month, pushes=usage.pushes,
             budget=usage.budget, left=max(0, usage.budget - usage.pushes))


def plain(text: str) -> str:
    """The text without its light HTML, for a terminal or a pop-up."""
    return html.unescape(_TAG.sub("", text))


def local_time(moment: datetime, t: Translator, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{dates.format_date(local.date(), t.lang)} {local:%H:%M}"


# --- summaries ----------------------------------------------------------------------------

# Telegram's limit for one message; a summary is split between sections to stay under it.
MESSAGE_LIMIT = 4096
# Name columns in the phone-width tables.
NAME_WIDTH = 14


def summary_title(summary: Summary, t: Translator, scope_name: str) -> str:
    if summary.period is Period.FISCAL_YEAR and summary.start is not None:
        period = t("period-fy-named", year=str(dates.buddhist_year(summary.start.year + 1)),
                   start=dates.format_date(summary.start, t.lang))
    elif summary.start is not None:
        period = t("period-since", start=dates.format_date(summary.start, t.lang))
    else:
        period = t("period-all-time")
    return t("summary-heading", scope=scope_name, period=period)


def summary_sections(summary: Summary, t: Translator, geography: Geography) -> list[str]:
    """The report's tables as phone-width texts, one per section."""
    sections = [t("summary-children", total=summary.total, thai=summary.thai,
                  foreign=summary.foreign, male=summary.male, female=summary.female,
                  found=summary.found, not_found=summary.not_found)]
    if summary.total:
        sections += [_district_table(summary, t, geography), _age_table(summary, t),
                     _counts(t, "summary-needs-title",
                             {t("needs-none") if key == "none" else t(f"need-{key}"): n
                              for key, n in summary.needs.items()}),
                     _counts(t, "summary-causes-title",
                             {t("cause-unknown") if key == "unknown" else t(f"cause-{key}"): n
                              for key, n in summary.causes.items()})]
    if summary.lists:
        sections.append(_list_lines(summary, t, geography))
    sections.append(_returns_table(summary, t))
    sections.append(_referral_lines(summary, t))
    return sections


def _list_lines(summary: Summary, t: Translator, geography: Geography) -> str:
    """The report's survey table: per district, children on the lists and what the schools
    found, Thai and foreign."""
    lines = [t("summary-lists-title")]
    for row in summary.lists:
        place = geography.district(row.district_code)
        lines.append(t("summary-list-line",
                       district=place.name(t.lang) if place else row.district_code,
                       listed=t("summary-pair", thai=row.listed[0], foreign=row.listed[1]),
                       **{status: t("summary-pair", thai=row.statuses.get(status, (0, 0))[0],
                                    foreign=row.statuses.get(status, (0, 0))[1])
                          for status in ("found", "not_found", "moved", "studying",
                                         "to_locate")}))
    return "\n".join(lines)


def _pre(lines: list[str]) -> str:
    return "<pre>" + html.escape("\n".join(lines)) + "</pre>"


def _district_table(summary: Summary, t: Translator, geography: Geography) -> str:
    head = [fit(t("table-district"), NAME_WIDTH) + " " + fit(t("table-found"), 9, right=True)
            + " " + fit(t("table-not-found"), 9, right=True),
            fit("", NAME_WIDTH) + " " + fit(t("table-thai-foreign"), 9, right=True) + " "
            + fit(t("table-thai-foreign"), 9, right=True)]
    rows = []
    for row in summary.districts:
        place = geography.district(row.district_code)
        name = place.name(t.lang) if place else row.district_code
        rows.append(fit(name, NAME_WIDTH) + " " + fit(f"{row.found_thai} {row.found_foreign}",
                                                      9, right=True)
                    + " " + fit(f"{row.not_found_thai} {row.not_found_foreign}", 9,
                                right=True))
    return t("summary-districts-title") + "\n" + _pre(head + rows)


def _age_table(summary: Summary, t: Translator) -> str:
    lines = [fit(t("table-age"), NAME_WIDTH) + fit(t("table-thai"), 8, right=True)
             + fit(t("table-foreign"), 9, right=True)]
    for group, (thai, foreign) in summary.ages.items():
        label = t(f"age-group-{group}") if group != ages.OUTSIDE else t("age-group-outside")
        lines.append(fit(label, NAME_WIDTH) + fit(str(thai), 8, right=True)
                     + fit(str(foreign), 9, right=True))
    return t("summary-ages-title") + "\n" + _pre(lines)


def _counts(t: Translator, title: str, counts: dict[str, int]) -> str:
    return "\n".join([t(title)] + [t("summary-count-line", label=label, count=count)
                                    for label, count in counts.items()])


def _returns_table(summary: Summary, t: Translator) -> str:
    if not summary.returns:
        return t("summary-returns-title") + "\n" + t("summary-none-yet")
    lines = [fit(t("table-unit"), NAME_WIDTH) + fit(t("table-referred"), 6, right=True)
             + fit(t("table-returned"), 6, right=True) + fit("%", 7, right=True)]
    for row in summary.returns:
        lines.append(fit(row.unit.short_name(t.lang), NAME_WIDTH)
                     + fit(str(row.out_of_school), 6, right=True)
                     + fit(str(row.returned), 6, right=True)
                     + fit(f"{row.percent:.2f}", 7, right=True))
    return t("summary-returns-title") + "\n" + _pre(lines)


def _referral_lines(summary: Summary, t: Translator) -> str:
    lines = [t("summary-referrals-title")]
    if summary.unrouted:
        lines.append(t("summary-unrouted", count=summary.unrouted))
    for row in summary.referrals:
        done = ", ".join(t("summary-outcome-count", outcome=t(f"outcome-{outcome}"),
                           count=count) for outcome, count in row.completed.items())
        lines.append(t("summary-unit-referrals", unit=row.unit.short_name(t.lang),
                       sent=row.sent, waiting=row.waiting, overdue=row.overdue,
                       accepted=row.accepted, in_progress=row.in_progress,
                       declined=row.declined, completed=sum(row.completed.values()),
                       outcomes=done or "–",
                       median=t("summary-median-days", days=f"{row.median_days_to_accept:g}")
                       if row.median_days_to_accept is not None else "–"))
    if len(lines) == 1:
        lines.append(t("summary-none-yet"))
    return "\n".join(lines)


def split_messages(parts: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts joined into as few messages as fit Telegram's limit, never cut inside a part
    (a part longer than the limit is cut between its lines)."""
    messages: list[str] = []
    current = ""
    for part in parts:
        for piece in _lines_within(part, limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _lines_within(part: str, limit: int) -> list[str]:
    if len(part) <= limit:
        return [part]
    pieces, current = [], ""
    for line in part.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit and current:
            pieces.append(current)
            current = line[:limit]
        else:
            current = joined[:limit]
    return [*pieces, current]


# --- children to locate -------------------------------------------------------------------


def lead_list(page: LeadPage, t: Translator, geography: Geography, today: date) -> str:
    if not page.total:
        return t("locate-empty")
    lines = [t("locate-title", total=page.total, page=page.page + 1, pages=page.pages)]
    for lead in page.leads:
        lines.append(t("locate-line", name=lead.full_name, age=today.year - lead.birth_year,
                       place=_place(geography, t, lead.district_code, lead.subdistrict_code)))
    return "\n".join(lines)


def lead_card(lead: Lead, t: Translator, geography: Geography, today: date) -> str:
    """What a teacher needs to find the child: who, where, and whom to call."""
    return "\n".join([
        t("lead-title", name=lead.full_name, ref=lead.ref),
        _line(t, "field-sex", t(f"sex-{lead.sex}")),
        _line(t, "field-age", t("age-approximate", age=today.year - lead.birth_year)),
        _line(t, "field-nationality", t(f"nationality-{lead.nationality}")),
        _line(t, "field-identity", _identity(t, lead.identity_type, lead.identity_number,
                                             masked=True)),
        _line(t, "field-place", _place(geography, t, lead.district_code,
                                       lead.subdistrict_code)),
        _line(t, "field-guardian", _guardian(t, None, lead.guardian_phone)),
        t("lead-ask"),
    ])
