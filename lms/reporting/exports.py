"""CSV and XLSX exports of a report: the same object the page shows, rendered as a file.

The API is small and generic, so that any table of typed values can be exported the same way
(the people table and the dashboard now; audit snapshots and the national overview later):

``csv_response(report, filename, *, timezone=None) -> Response``
``xlsx_response(report, filename, *, timezone=None) -> Response``
    A streamed download of ``report``. ``report`` is anything with

    - ``columns``: a sequence of columns, each with ``key``, ``label`` (str or lazy string),
      ``kind`` ("text", "int", "percent", "date", "datetime") and optionally ``width``
      (characters, XLSX only);
    - ``iter_rows()``: every row, in order (read once, lazily);
    - ``values(row)``: the row's typed values in ``columns`` order: str for "text", int for
      "int", an int 0..100 for "percent" (shown as 83%), ``date`` for "date", an aware
      ``datetime`` for "datetime"; None for an empty cell;
    - ``applied_filters()``: the filters in force as (label, value) pairs, in words;
    - ``generated_at``: an aware datetime;
    - optionally ``title`` (the report's name), ``applied_order()`` (the order in words) and
      ``sheets()``: several tables instead of one, each with ``title``, ``columns``,
      ``iter_rows()`` and ``values(row)`` (``reports.Table`` is one).

    ``filename`` is the file's name in Unicode (see ``export_filename``); the response
    carries a safe ASCII name plus ``filename*=UTF-8''...``. ``timezone`` (default
    ``LMS_TIMEZONE``) is where datetimes are shown: spreadsheets have no time zones.
    Call both inside the request. The CSV's header is made at once and its rows as the body
    is sent; the XLSX is written at once (into a spooled file, so the response has a length
    and an error is an error page, not a cut-off file) and sent in chunks. Responses are
    ``no-store``: exports hold personal data.

``csv_rows(report)`` / ``write_xlsx(report, binary_file)``
    The same renderings without a response (for files written by a command or a job).

``export_filename(words, day, extension) -> str``
    ``["Voortgang", "De Panne"], 2026-12-07, "csv"`` -> ``voortgang-de-panne-2026-12-07.csv``
    (letters of any script kept; ``ascii_filename`` folds it for the old ``filename=``);
    ``local_day(moment)`` gives the day in ``LMS_TIMEZONE`` for it.

``record_export(session, actor_id, *, report, format, filters, rows, organisations)``
    The audit-log entry every export of personal data needs (``report.export``): who, which
    report, which filters (the URL's arguments), how many rows, which organisations. The view
    records it and commits before returning the response.

``neutralise(text) -> str``
    The one defence against formula injection, used for every text cell of both formats
    (headers, values, filters): a text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` so that no spreadsheet runs it; in XLSX such cells are
    also stored as strings, never as formulas. Numbers are typed cells and need no defence.

CSV: UTF-8 with a byte order mark (so Excel reads the accents), comma-separated, RFC 4180
quoting, CRLF line ends; dates as ISO 8601 (2026-12-07), datetimes as local
``YYYY-MM-DD HH:MM``, percentages as whole numbers with "(%)" in the header. A one-table
report is a plain table (the header on the first line); a report with ``sheets()`` writes each
table after a line with its title, separated by an empty line. Streamed in chunks of about
32 KB, row by row.

XLSX (openpyxl, write-only: rows go straight to a temporary file, never all in memory): one
sheet per table with a bold header row, frozen panes (header row and first column), an
autofilter, column widths from the kinds and labels, typed cells (dates and datetimes as
dates with the regional date format, percentages as numbers with a % format, ints as ints),
and a last sheet "About" stating the report, the generation time, the filters, the order and
the number of rows. The file is written to a ``SpooledTemporaryFile`` (on disk past 1 MB)
and streamed from there in 64 KB chunks.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, current_app, stream_with_context
from sqlalchemy.orm import Session

from lms.core import audit
from lms.core.i18n import gettext as _

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

#: Excel's built-in formats: dates and date-times in the reader's regional format.
DATE_FORMAT = "mm-dd-yy"  # built-in 14: the regional short date
DATETIME_FORMAT = "m/d/yy h:mm"  # built-in 22: the regional date and time
PERCENT_FORMAT = "0%"  # built-in 9

CSV_CHUNK = 32 * 1024
XLSX_CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def neutralise(text: str) -> str:
    """Make a text harmless in a spreadsheet: a leading ``'`` when it could start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# What every format needs --------------------------------------------------------------------


def _sheets(report: Any) -> list[Any]:
    sheets = getattr(report, "sheets", None)
    return list(sheets()) if callable(sheets) else [report]


def _zone(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or current_app.config.get("LMS_TIMEZONE", "Europe/Brussels"))


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware datetime as the naive local time a spreadsheet shows."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _describe(report: Any, zone: ZoneInfo) -> dict[str, Any]:
    """What an export states about itself, read once, inside the request."""
    order = getattr(report, "applied_order", None)
    title = getattr(report, "title", None)
    return {
        "title": str(title) if title is not None else "",
        "generated_at": _local(report.generated_at, zone),
        "filters": [(str(label), str(value)) for label, value in report.applied_filters()],
        "order": order() if callable(order) else None,
    }


def _text(value: Any) -> str:
    return neutralise(str(value))


def _csv_value(kind: str, value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _text(value)
    if kind in ("int", "percent") and isinstance(value, int | float):
        return str(value)
    if kind == "datetime" and isinstance(value, datetime):
        return _local(value, zone).strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return _text(value)


def _csv_header(column: Any) -> str:
    label = str(column.label)
    return _text(f"{label} (%)" if column.kind == "percent" else label)


# CSV ----------------------------------------------------------------------------------------


def csv_rows(report: Any, timezone: str | None = None) -> Iterator[list[str]]:
    """The CSV's lines as lists of cells (without the byte order mark)."""
    zone = _zone(timezone)
    sheets = _sheets(report)
    several = len(sheets) > 1
    for index, sheet in enumerate(sheets):
        if several:
            if index:
                yield []
            yield [_text(sheet.title)]
        columns = list(sheet.columns)
        yield [_csv_header(c) for c in columns]
        kinds = [c.kind for c in columns]
        for row in sheet.iter_rows():
            values = sheet.values(row)
            yield [_csv_value(kind, value, zone) for kind, value in zip(kinds, values, strict=True)]


def _csv_chunks(lines: Iterable[list[str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for line in lines:
        writer.writerow(line)
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(report: Any, filename: str, *, timezone: str | None = None) -> Response:
    """A streamed CSV download of ``report`` (see the module docstring)."""
    # Labels and column kinds are read now; the rows as the body is sent.
    lines = csv_rows(report, timezone)
    first = next(lines)
    body = stream_with_context(_csv_chunks(_prepend(first, lines)))
    return _download(Response(body, mimetype=CSV_MIMETYPE), filename, charset="utf-8")


def _prepend(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


# XLSX ---------------------------------------------------------------------------------------

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    name = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", title).split())[:31] or "Sheet"
    base, number = name, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def _width(column: Any) -> int:
    width = getattr(column, "width", None)
    if width:
        return width
    label = len(str(column.label))
    if column.kind == "date":
        return max(12, min(label + 2, 20))
    if column.kind == "datetime":
        return max(17, min(label + 2, 24))
    if column.kind in ("int", "percent"):
        return max(9, min(label + 2, 20))
    return max(14, min(label + 2, 40))


class _Cells:
    """Typed write-only cells of one sheet.

    openpyxl (with lxml and Pillow, some 13 MB) is imported by the first XLSX download of a
    worker, not by every worker at start (tests/core/test_worker_memory.py)."""

    def __init__(self, sheet: Any, zone: ZoneInfo) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font

        self.sheet, self.zone = sheet, zone
        self.cell, self.alignment = WriteOnlyCell, Alignment
        self.error_codes, self.illegal = ERROR_CODES, ILLEGAL_CHARACTERS_RE
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def text(self, value: Any, *, bold: bool = False) -> Any:
        """A string cell: neutralised, without the control characters XML cannot hold.
        Never a formula (no text starts with "=" once neutralised) and never an error
        code such as "#N/A" (those get a cell typed as a string)."""
        text = self.illegal.sub("", neutralise(str(value)))[:32767]
        if not bold and text not in self.error_codes:
            return text  # a plain value: openpyxl makes the cell (the fast path)
        cell = self.cell(self.sheet, value=text)
        cell.data_type = "s"
        if bold:
            cell.font = self.bold
        return cell

    def header(self, label: Any) -> Any:
        cell: Any = self.text(label, bold=True)  # always a styled cell
        cell.alignment = self.wrap
        return cell

    def typed(self, kind: str, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return self.text(value)
        if kind == "int" and isinstance(value, int | float):
            return value
        if kind == "percent" and isinstance(value, int | float):
            cell = self.cell(self.sheet, value=value / 100)
            cell.number_format = PERCENT_FORMAT
            return cell
        if kind == "datetime" and isinstance(value, datetime):
            cell = self.cell(self.sheet, value=_local(value, self.zone))
            cell.number_format = DATETIME_FORMAT
            return cell
        if kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
            cell = self.cell(self.sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        return self.text(value)


def _write_table(workbook: Any, table: Any, name: str, zone: ZoneInfo) -> int:
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    columns = list(table.columns)
    # Widths and frozen panes are written before the first row (write-only mode).
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "B2" if len(columns) > 1 else "A2"
    cells = _Cells(sheet, zone)
    sheet.append([cells.header(c.label) for c in columns])
    kinds = [c.kind for c in columns]
    count = 0
    for row in table.iter_rows():
        values = table.values(row)
        sheet.append([cells.typed(k, v) for k, v in zip(kinds, values, strict=True)])
        count += 1
    last = get_column_letter(max(1, len(columns)))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def _write_about(
    workbook: Any, about: dict[str, Any], counts: list[tuple[str, int]], zone: ZoneInfo
) -> None:
    sheet = workbook.create_sheet(_sheet_name(_("About this file"), set()))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 60
    cells = _Cells(sheet, zone)
    if about["title"]:
        sheet.append([cells.text(_("Report"), bold=True), cells.text(about["title"])])
    generated = cells.cell(sheet, value=about["generated_at"])
    generated.number_format = DATETIME_FORMAT
    generated.alignment = cells.alignment(horizontal="left")
    sheet.append([cells.text(_("Made on"), bold=True), generated])
    if about["filters"]:
        for label, value in about["filters"]:
            sheet.append([cells.text(label, bold=True), cells.text(value)])
    else:
        sheet.append([cells.text(_("Filters"), bold=True), cells.text(_("None: everything"))])
    if about["order"]:
        sheet.append([cells.text(_("Order"), bold=True), cells.text(about["order"])])
    for title, count in counts:
        row = cells.cell(sheet, value=count)
        row.alignment = cells.alignment(horizontal="left")
        label = _("Rows: %(table)s", table=title) if len(counts) > 1 else _("Rows")
        sheet.append([cells.text(label, bold=True), row])


def write_xlsx(report: Any, target: Any, *, timezone: str | None = None) -> int:
    """Write ``report`` as an XLSX workbook into the binary file ``target``; returns the
    number of data rows written."""
    from openpyxl import Workbook

    zone = _zone(timezone)
    about = _describe(report, zone)
    workbook = Workbook(write_only=True)
    taken: set[str] = {_("About this file").casefold()}
    counts = []
    for table in _sheets(report):
        title = str(getattr(table, "title", None) or about["title"] or "Report")
        counts.append((title, _write_table(workbook, table, _sheet_name(title, taken), zone)))
    _write_about(workbook, about, counts, zone)
    workbook.save(target)
    return sum(count for _title, count in counts)


def _file_chunks(spool: Any) -> Iterator[bytes]:
    try:
        spool.seek(0)
        while chunk := spool.read(XLSX_CHUNK):
            yield chunk
    finally:
        spool.close()


def xlsx_response(report: Any, filename: str, *, timezone: str | None = None) -> Response:
    """A streamed XLSX download of ``report`` (see the module docstring)."""
    spool = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (closed by the body)
    try:
        write_xlsx(report, spool, timezone=timezone)
        size = spool.tell()
    except BaseException:
        spool.close()
        raise
    response = Response(_file_chunks(spool), mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return _download(response, filename)


# Filenames, headers and the audit log -------------------------------------------------------


def _slug(text: str) -> str:
    """Lower case, words joined by hyphens, letters and digits of any script kept."""
    text = unicodedata.normalize("NFC", text).casefold()
    words = re.findall(r"[^\W_]+", text)
    return "-".join(words)


def ascii_filename(name: str) -> str:
    """The Unicode file name folded to safe ASCII (accents dropped)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = folded.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem if dot else folded).strip("-").lower() or "export"
    return f"{stem}.{extension}" if dot else stem


def export_filename(words: Sequence[str], day: date, extension: str) -> str:
    """``["Voortgang", "De Panne"]``, 2026-12-07, "csv" -> ``voortgang-de-panne-2026-12-07.csv``."""
    parts = [_slug(str(word)) for word in words]
    stem = "-".join(part for part in [*parts, day.isoformat()] if part)
    return f"{stem}.{extension}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII name for old clients and the UTF-8 name (RFC 6266)."""
    return (
        f'attachment; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def _download(response: Response, filename: str, charset: str | None = None) -> Response:
    if charset:
        response.headers["Content-Type"] = f"{response.mimetype}; charset={charset}"
    response.headers["Content-Disposition"] = content_disposition(filename)
    # Personal data: never kept in a shared (municipal) computer's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def local_day(moment: datetime, timezone: str | None = None) -> date:
    return _local(moment, _zone(timezone)).date()


def record_export(
    session: Session,
    actor_id: int | None,
    *,
    report: str,
    format: str,
    filters: dict[str, Any],
    rows: int,
    organisations: Sequence[int],
) -> audit.AuditEvent:
    """The audit-log entry of an export (``report.export``); flushes nothing, commits never."""
    return audit.record(
        session,
        "report.export",
        "report",
        None,
        actor_id=actor_id,
        report=report,
        format=format,
        filters={key: str(value) for key, value in filters.items()},
        rows=rows,
        organisations=list(organisations),
    )
