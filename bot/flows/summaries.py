"""/summary and its files, for any channel: what to show, which choices to offer under it
(periods for everyone, files, other scopes for the coordinators), and what a press means.

Each adapter lays the choices out in its own widgets (Telegram's keyboard rows, LINE's
quick replies) and checks nothing itself: the services check every press again.
"""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot import presenters, reports
from bot.domain.models import User
from bot.errors import StaleAction
from bot.flows.callback_data import ReportButton, SummaryButton
from bot.flows.choices import Choice
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import exports, summaries
from bot.services.exports import Prepared, ReportKind
from bot.services.summaries import Period, Scope, ScopeKind

NO_KEY = "-"
PICK_DISTRICT, PICK_UNIT = "pick-district", "pick-unit"


@dataclass(frozen=True)
class Pick:
    """A press that asks for the list of districts or units to choose from."""

    pick: str
    period: Period
    page: int  # on a channel that shows few choices at once (LINE)


def read_summary_press(data: str | None) -> tuple[Scope, Period] | Pick:
    """What a summary button asks for; StaleAction for data the bot did not make."""
    pressed = SummaryButton.unpack(data)
    try:
        if pressed is None:
            raise ValueError(data)
        period = Period(pressed.period)
        if pressed.scope in (PICK_DISTRICT, PICK_UNIT):
            return Pick(pressed.scope, period,
                        0 if pressed.key == NO_KEY else max(0, int(pressed.key)))
        return Scope(ScopeKind(pressed.scope), None if pressed.key == NO_KEY else pressed.key), \
            period
    except ValueError as error:
        raise StaleAction() from error


def read_report_press(data: str | None) -> tuple[ReportKind, Scope, Period]:
    pressed = ReportButton.unpack(data)
    try:
        if pressed is None:
            raise ValueError(data)
        return (ReportKind(pressed.kind),
                Scope(ScopeKind(pressed.scope), None if pressed.key == NO_KEY else pressed.key),
                Period(pressed.period))
    except ValueError as error:
        raise StaleAction() from error


async def scope_name(runtime: Runtime, t: Translator, scope: Scope) -> str:
    if scope.kind is ScopeKind.DISTRICT:
        place = runtime.geography.district(scope.key or "")
        return place.name(t.lang) if place else scope.key or ""
    if scope.kind is ScopeKind.UNIT:
        unit = await runtime.db.read.organisations.get(scope.key or "")
        return unit.name(t.lang) if unit else scope.key or ""
    return t(f"scope-{scope.kind}")


async def summary_texts(runtime: Runtime, actor: User | None, t: Translator, scope: Scope,
                        period: Period, *, limit: int = presenters.MESSAGE_LIMIT) -> list[str]:
    """The summary (checked by the service: may `actor` see this scope?) as messages of at
    most `limit` characters."""
    settings = runtime.settings
    summary = await summaries.summarise(
        runtime.db, actor, scope, period, now=runtime.now(), tz=settings.tz,
        overdue_after=timedelta(days=settings.reminder_policy.escalate_days))
    title = presenters.summary_title(summary, t, await scope_name(runtime, t, scope))
    return presenters.split_messages(
        [title, *presenters.summary_sections(summary, t, runtime.geography)], limit)


def summary_choices(actor: User, t: Translator, scope: Scope,
                    period: Period) -> list[list[Choice]]:
    """Under a summary, in rows: the periods; the files; the scopes (coordinators)."""
    key = scope.key or NO_KEY
    periods: list[Choice] = [
        (("• " if option is period else "") + t(f"period-{option}"),
         SummaryButton(scope=scope.kind, key=key, period=option)) for option in Period]
    kinds = [ReportKind.XLSX, ReportKind.CHART]
    if exports.may_list_cases(actor):
        kinds.append(ReportKind.CSV)
    files: list[Choice] = [(t(f"button-{kind}"), ReportButton(kind=kind, scope=scope.kind,
                                                              key=key, period=period))
                           for kind in kinds]
    layout = [periods, files]
    if summaries.may_choose_scope(actor):
        layout.append([
            (t("scope-province"), SummaryButton(scope=ScopeKind.PROVINCE, key=NO_KEY,
                                                period=period)),
            (t("button-pick-district"), SummaryButton(scope=PICK_DISTRICT, key=NO_KEY,
                                                      period=period)),
            (t("button-pick-unit"), SummaryButton(scope=PICK_UNIT, key=NO_KEY,
                                                  period=period))])
    return layout


async def scope_choices(runtime: Runtime, actor: User | None, t: Translator,
                        pick: Pick) -> list[Choice]:
    """The districts or units a coordinator may summarise (checked here)."""
    if pick.pick == PICK_DISTRICT:
        summaries.require_scope_choice(actor)
        return [(place.name(t.lang), SummaryButton(scope=ScopeKind.DISTRICT, key=place.code,
                                                   period=pick.period))
                for place in runtime.geography.districts]
    return [(unit.short_name(t.lang), SummaryButton(scope=ScopeKind.UNIT, key=unit.id,
                                                    period=pick.period))
            for unit in await summaries.units_to_summarise(runtime.db, actor)]


# --- files of a summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    prepared: Prepared
    title: str  # plain text


async def prepare_report(runtime: Runtime, actor: User | None, t: Translator,
                         kind: ReportKind, scope: Scope, period: Period) -> Report:
    """Check (may `actor` have this file?), record who asked, gather the data."""
    settings = runtime.settings
    prepared = await exports.prepare(
        runtime.db, actor, scope, period, kind, now=runtime.now(), tz=settings.tz,
        overdue_after=timedelta(days=settings.reminder_policy.escalate_days), language=t.lang)
    title = presenters.plain(presenters.summary_title(
        prepared.summary, t, await scope_name(runtime, t, scope)))
    return Report(prepared=prepared, title=title)


def report_file_name(report: Report, runtime: Runtime) -> str:
    kind, scope = report.prepared.kind, report.prepared.summary.scope
    name = f"panong-{scope.kind}{'-' + scope.key if scope.key else ''}-" \
        + runtime.now().strftime("%Y%m%d")
    return f"{name}.png" if kind is ReportKind.CHART else f"{name}.{kind}"


async def write_report(runtime: Runtime, t: Translator, report: Report, folder: Path,
                       progress: Callable[[int], None] | None = None) -> tuple[Path, int]:
    """Write the file in a worker thread (the bot keeps answering everyone else); its path
    and how many cases it lists. `progress` is called from that thread."""
    path = folder / report_file_name(report, runtime)
    cases = exports.case_rows(runtime.db, report.prepared)
    listed = await asyncio.to_thread(_write, path, report, cases, runtime, t, progress)
    return path, listed


def report_caption(t: Translator, report: Report, listed: int) -> str:
    """What a spreadsheet is, said where it is sent."""
    return t("report-made", cases=listed) if report.prepared.case_list \
        else t("report-made-tables")


def _write(path: Path, report: Report, cases: Iterator[tuple] | None, runtime: Runtime,
           t: Translator, progress: Callable[[int], None] | None) -> int:
    prepared, title = report.prepared, report.title
    summary, geography, tz = prepared.summary, runtime.geography, runtime.settings.tz
    if prepared.kind is ReportKind.CHART:
        reports.draw_chart(path, summary, t, geography, title=title)
        return 0
    if prepared.kind is ReportKind.CSV:
        assert cases is not None
        return reports.write_csv(path, t, geography, cases, tz=tz,
                                 organisations=prepared.organisations, progress=progress)
    return reports.write_xlsx(path, summary, t, geography, title=title, cases=cases, tz=tz,
                              organisations=prepared.organisations, progress=progress)
