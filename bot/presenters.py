"""Texts built from several catalog messages: summary cards, case cards, lists.

Plain strings with the catalogs' light HTML, no messenger objects, so another channel can
reuse them. User data only ever enters through catalog parameters, which are escaped.
"""

from datetime import date, datetime, tzinfo

from bot.domain import ages, dates, identity, phone
from bot.domain.identity import IdentityType
from bot.domain.models import Case, Child, Need
from bot.geography import Geography
from bot.i18n import Translator
from bot.services.cases import CaseCard, CaseGlimpse, CasePage
from bot.services.registration import CaseDraft
from bot.services.users import UserPage

NOT_GIVEN = "value-not-given"


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


def _guardian(t: Translator, name: str | None, phone_number: str | None, masked: bool) -> str:
    shown_phone = None
    if phone_number:
        shown_phone = phone.mask_phone(phone_number) if masked else phone.format_phone(
            phone_number)
    parts = [part for part in (name, shown_phone) if part]
    return " · ".join(parts) if parts else t(NOT_GIVEN)


def _needs(t: Translator, needs: list[Need] | tuple[Need, ...]) -> str:
    """In the catalog's order (education first), whatever order they were stored in."""
    if not needs:
        return t("needs-none")
    return ", ".join(t(f"need-{need}") for need in Need if need in needs)


def _line(t: Translator, label_key: str, value: str) -> str:
    return t("card-line", label=t(label_key), value=value)


def draft_summary(draft: CaseDraft, t: Translator, geography: Geography, today: date) -> str:
    names = " ".join(p for p in (draft.given_name, draft.family_name) if p)
    if draft.nickname:
        names += f" ({draft.nickname})"
    lines = [
        t("summary-title"),
        _line(t, "field-name", names),
        _line(t, "field-sex", t(f"sex-{draft.sex}") if draft.sex else t(NOT_GIVEN)),
        _line(t, "field-identity", _identity(t, draft.identity_type, draft.identity_number,
                                             masked=False)),
        _line(t, "field-nationality", t(f"nationality-{draft.nationality}")
              if draft.nationality else t(NOT_GIVEN)),
        _line(t, "field-age", _age(t, draft.birth_date, draft.approx_age, today)),
        _line(t, "field-place", _place(geography, t, draft.district_code,
                                       draft.subdistrict_code)),
        _line(t, "field-address", draft.address or t(NOT_GIVEN)),
        _line(t, "field-location", t("location-shared") if draft.latitude is not None
              else t(NOT_GIVEN)),
        _line(t, "field-found", t("found-yes") if draft.found else t("found-no")),
        _line(t, "field-cause", t(f"cause-{draft.cause}") if draft.cause
              else t("cause-unknown")),
        _line(t, "field-guardian", _guardian(t, draft.guardian_name, draft.guardian_phone,
                                             masked=False)),
        _line(t, "field-consent", t(f"consent-{draft.consent}") if draft.consent
              else t(NOT_GIVEN)),
        _line(t, "field-needs", _needs(t, draft.needs)),
        _line(t, "field-wish", t(f"wish-{draft.wish}") if draft.wish else t(NOT_GIVEN)),
    ]
    return "\n".join(lines)


def case_card(card: CaseCard, t: Translator, geography: Geography, today: date,
              tz: tzinfo) -> str:
    case: Case = card.case
    child: Child = card.child
    name = child.full_name + (f" ({child.nickname})" if child.nickname else "")
    return "\n".join([
        t("case-card-title", code=case.code),
        _line(t, "field-status", t(f"status-{case.status}")),
        _line(t, "field-name", name),
        _line(t, "field-sex", t(f"sex-{child.sex}")),
        _line(t, "field-identity", _identity(t, child.identity_type, child.identity_number,
                                             masked=True)),
        _line(t, "field-nationality", t(f"nationality-{child.nationality}")),
        _line(t, "field-age", _age(t, child.birth_date, today.year - child.birth_year
                                   if child.birth_estimated else None, today)),
        _line(t, "field-place", _place(geography, t, case.district_code,
                                       case.subdistrict_code)),
        _line(t, "field-found", t("found-yes") if case.found else t("found-no")),
        _line(t, "field-cause", t(f"cause-{case.dropout_cause}") if case.dropout_cause
              else t("cause-unknown")),
        _line(t, "field-guardian", _guardian(t, child.guardian_name, child.guardian_phone,
                                             masked=False)),
        _line(t, "field-consent", t(f"consent-{case.consent}")),
        _line(t, "field-needs", _needs(t, case.needs)),
        _line(t, "field-wish", t(f"wish-{case.education_wish}")),
        _line(t, "field-registered", t("registered-by", name=card.teacher_name,
                                       organisation=card.organisation.short_name(t.lang),
                                       date=_local_date(case.created_at, t, tz))),
    ])


def case_glimpse(glimpse: CaseGlimpse, t: Translator, tz: tzinfo) -> str:
    return t("case-glimpse", code=glimpse.code, status=t(f"status-{glimpse.status}"),
             organisation=glimpse.organisation.name(t.lang),
             date=_local_date(glimpse.created_at, t, tz))


def case_list(page: CasePage, t: Translator, geography: Geography, tz: tzinfo) -> str:
    if not page.total:
        return t("mycases-empty")
    lines = [t("mycases-title", total=page.total, page=page.page + 1, pages=page.pages)]
    for summary in page.cases:
        district = geography.district(summary.district_code)
        lines.append(t("mycases-line", code=summary.code, name=summary.child_name,
                       status=t(f"status-{summary.status}"),
                       district=district.name(t.lang) if district else summary.district_code,
                       date=_local_date(summary.created_at, t, tz)))
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


def _local_date(moment: datetime, t: Translator, tz: tzinfo) -> str:
    """Dates as the reader lives them: in the deployment's time zone, Buddhist era in Thai."""
    return dates.format_date(moment.astimezone(tz).date(), t.lang)
