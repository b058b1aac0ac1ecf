"""Files made from a summary: an XLSX workbook (one sheet per table, and the case list for
coordinators), a CSV case list, and a PNG chart with Thai text.

These are CPU work: callers run them in a worker thread (`asyncio.to_thread`) so that the
bot keeps answering while a large file is written. The workbook is written in xlsxwriter's
constant-memory mode, row by row, from a streamed case list.
"""

import csv
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from bot.config import DATA_DIR
from bot.domain import dates
from bot.domain.ages import OUTSIDE
from bot.domain.models import NEED_BITS
from bot.geography import Geography
from bot.i18n import Translator
from bot.services.summaries import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FONT_DIR = DATA_DIR / "fonts"
# What the schools found of the children on imported lists, in the survey table's order.
LEAD_STATUSES = ("found", "not_found", "moved", "studying", "to_locate")
SHEET_NAME_LIMIT = 31
# Every so many rows the case list reports progress (for a progress bar in chat).
PROGRESS_EVERY = 5000


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with = + - @
    (or a tab or carriage return, which some strip first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _age_label(t: Translator, group: str) -> str:
    return t("age-group-outside") if group == OUTSIDE else t(f"age-group-{group}")


def _tables(summary: Summary, t: Translator,
            geography: Geography) -> list[tuple[str, list[str], list[list[object]]]]:
    """(sheet title, header, rows) for each table of the summary."""
    def district(code: str) -> str:
        place = geography.district(code)
        return place.name(t.lang) if place else code

    return [
        (t("sheet-children"), [t("table-item"), t("table-count")], [
            [t("sheet-total"), summary.total], [t("table-thai"), summary.thai],
            [t("table-foreign"), summary.foreign], [t("sex-male"), summary.male],
            [t("sex-female"), summary.female], [t("table-found"), summary.found],
            [t("table-not-found"), summary.not_found]]),
        (t("sheet-districts"), [t("table-district"), t("sheet-found-thai"),
                                t("sheet-found-foreign"), t("sheet-not-found-thai"),
                                t("sheet-not-found-foreign"), t("sheet-total")],
         [[district(row.district_code), row.found_thai, row.found_foreign, row.not_found_thai,
           row.not_found_foreign, row.total] for row in summary.districts]),
        (t("sheet-ages"), [t("table-age"), t("table-thai"), t("table-foreign")],
         [[_age_label(t, group), thai, foreign]
          for group, (thai, foreign) in summary.ages.items()]),
        (t("sheet-needs"), [t("summary-needs-title-plain"), t("table-count")],
         [[t("needs-none") if key == "none" else t(f"need-{key}"), count]
          for key, count in summary.needs.items()]),
        (t("sheet-causes"), [t("summary-causes-title-plain"), t("table-count")],
         [[t("cause-unknown") if key == "unknown" else t(f"cause-{key}"), count]
          for key, count in summary.causes.items()]),
        (t("sheet-lists"), [t("table-district"), t("sheet-listed-thai"),
                            t("sheet-listed-foreign"), *(t(f"lead-status-{status}")
                                                         for status in LEAD_STATUSES)],
         [[district(row.district_code), *row.listed,
           *(sum(row.statuses.get(status, (0, 0))) for status in LEAD_STATUSES)]
          for row in summary.lists]),
        (t("sheet-returns"), [t("table-unit"), t("sheet-out-of-school"), t("sheet-returned"),
                              t("sheet-percent")],
         [[row.unit.name(t.lang), row.out_of_school, row.returned, row.percent]
          for row in summary.returns]),
        (t("sheet-referrals"), [t("table-unit"), t("sheet-sent"), t("sheet-waiting"),
                                t("sheet-overdue"), t("sheet-accepted"),
                                t("sheet-in-progress"), t("sheet-declined"),
                                t("sheet-completed"), t("sheet-median-days")],
         [[row.unit.name(t.lang), row.sent, row.waiting, row.overdue, row.accepted,
           row.in_progress, row.declined, sum(row.completed.values()),
           row.median_days_to_accept] for row in summary.referrals]),
    ]


def _case_header(t: Translator) -> list[str]:
    return [t(f"sheet-case-{column}") for column in (
        "code", "registered", "district", "subdistrict", "found", "origin", "nationality",
        "sex", "age", "cause", "needs", "status", "organisation")]


class _CaseRows:
    """Turns case-list rows into cells in the reader's language. Every label is looked up
    once, not once per row: a list of 100,000 cases would otherwise format a million
    catalog messages."""

    def __init__(self, t: Translator, geography: Geography, tz: tzinfo,
                 organisations: Mapping[str, str]) -> None:
        self.t, self.geography, self.tz = t, geography, tz
        self.organisations = organisations
        self._labels: dict[str, str] = {}
        self._places: dict[str | None, str] = {}
        self._days: dict[date, str] = {}

    def _label(self, key: str) -> str:
        if key not in self._labels:
            self._labels[key] = self.t(key)
        return self._labels[key]

    def _place(self, code: str | None) -> str:
        """A district (4 digits) or sub-district (6 digits) by name."""
        if code not in self._places:
            place = (self.geography.district(code) or self.geography.subdistrict(code)) \
                if code else None
            self._places[code] = place.name(self.t.lang) if place else code or ""
        return self._places[code]

    def _day(self, created: str) -> str:
        local = datetime.fromisoformat(created).astimezone(self.tz).date()
        if local not in self._days:
            self._days[local] = dates.format_date(local, self.t.lang)
        return self._days[local]

    def _needs(self, mask: int) -> str:
        key = f"needs:{mask}"
        if key not in self._labels:
            self._labels[key] = ", ".join(self.t(f"need-{need}")
                                          for need, bit in NEED_BITS.items() if mask & bit)
        return self._labels[key]

    def __call__(self, row: tuple) -> list[object]:
        (code, created, district, subdistrict, found, foreign, nationality, sex, age_group,
         cause, mask, status, organisation) = row
        label = self._label
        return [code, self._day(created), self._place(district), self._place(subdistrict),
                label("found-yes" if found else "found-no"),
                label("table-foreign" if foreign else "table-thai"),
                label(f"nationality-{nationality}"), label(f"sex-{sex}"),
                label("age-group-outside" if age_group == OUTSIDE
                      else f"age-group-{age_group}"),
                label(f"cause-{cause}" if cause else "cause-unknown"), self._needs(mask),
                label(f"status-{status}"), self.organisations.get(organisation, organisation)]


def write_xlsx(path: Path, summary: Summary, t: Translator, geography: Geography, *,
               title: str, cases: Iterable[tuple] | None = None, tz: tzinfo | None = None,
               organisations: Mapping[str, str] | None = None,
               progress: Callable[[int], None] | None = None) -> int:
    """The workbook; with `cases`, a last sheet listing them. How many cases it lists."""
    # Cells are plain text and numbers: skip the checks for formulas and links (faster, and
    # a name starting with "=" stays a name).
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    listed = 0
    try:
        for sheet_title, header, rows in _tables(summary, t, geography):
            sheet = workbook.add_worksheet(_sheet_name(sheet_title))
            sheet.write_row(0, 0, [title], bold)
            sheet.write_row(2, 0, header, bold)
            for index, row in enumerate(rows, start=3):
                sheet.write_row(index, 0, row)
            sheet.set_column(0, 0, 34)
            sheet.set_column(1, len(header), 14)
        if cases is not None:
            assert tz is not None
            sheet = workbook.add_worksheet(_sheet_name(t("sheet-cases")))
            header = _case_header(t)
            sheet.write_row(0, 0, header, bold)
            sheet.set_column(0, len(header), 16)
            cells = _CaseRows(t, geography, tz, organisations or {})
            for listed, row in enumerate(cases, start=1):
                sheet.write_row(listed, 0, cells(row))
                if progress is not None and listed % PROGRESS_EVERY == 0:
                    progress(listed)
    finally:
        workbook.close()
    return listed


def write_csv(path: Path, t: Translator, geography: Geography, cases: Iterable[tuple], *,
              tz: tzinfo, organisations: Mapping[str, str],
              progress: Callable[[int], None] | None = None) -> int:
    """The case list as CSV (UTF-8 with a byte-order mark, so that Excel reads Thai)."""
    listed = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_case_header(t))
        cells = _CaseRows(t, geography, tz, organisations)
        for listed, row in enumerate(cases, start=1):
            writer.writerow([spreadsheet_safe(cell) for cell in cells(row)])
            if progress is not None and listed % PROGRESS_EVERY == 0:
                progress(listed)
    return listed


def _sheet_name(title: str) -> str:
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title[:SHEET_NAME_LIMIT]


# --- the chart ----------------------------------------------------------------------------


def draw_chart(path: Path, summary: Summary, t: Translator, geography: Geography, *,
               title: str) -> None:
    """One PNG, phone-shaped: cases by district (Thai and foreign), by age group, support
    needs, and the share back in education per unit."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for font in FONT_DIR.glob("*.ttf"):
        font_manager.fontManager.addfont(str(font))
    plt.rcParams["font.family"] = "Garuda"
    figure, axes = plt.subplots(4, 1, figsize=(7, 14.5), dpi=110)
    try:
        # The fonts have no emoji: leave them out of the picture.
        figure.suptitle("".join(ch for ch in title if unicodedata.category(ch) != "So")
                        .strip(), fontsize=13, fontweight="bold")
        _stacked(axes[0], t("summary-districts-title-plain"),
                 [(geography.district(row.district_code).name(t.lang)
                   if geography.district(row.district_code) else row.district_code,
                   row.found_thai + row.not_found_thai,
                   row.found_foreign + row.not_found_foreign) for row in summary.districts], t)
        _stacked(axes[1], t("summary-ages-title-plain"),
                 [(_age_label(t, group), thai, foreign)
                  for group, (thai, foreign) in summary.ages.items()], t)
        needs = [(t("needs-none") if key == "none" else t(f"need-{key}"), count)
                 for key, count in summary.needs.items()]
        axes[2].barh([label for label, _ in needs], [count for _, count in needs],
                     color="#4c72b0")
        axes[2].set_title(t("summary-needs-title-plain"))
        axes[2].invert_yaxis()
        returns = [(row.unit.short_name(t.lang), row.percent) for row in summary.returns]
        axes[3].barh([label for label, _ in returns], [pct for _, pct in returns],
                     color="#55a868")
        axes[3].set_xlim(0, 100)
        axes[3].set_title(t("chart-returns-title"))
        axes[3].invert_yaxis()
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)


def _stacked(axis: "Axes", title: str, rows: list[tuple[str, int, int]],
             t: Translator) -> None:
    labels = [label for label, _, _ in rows]
    thai = [value for _, value, _ in rows]
    foreign = [value for _, _, value in rows]
    axis.barh(labels, thai, label=t("table-thai"), color="#4c72b0")
    axis.barh(labels, foreign, left=thai, label=t("table-foreign"), color="#dd8452")
    axis.set_title(title)
    axis.invert_yaxis()
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
