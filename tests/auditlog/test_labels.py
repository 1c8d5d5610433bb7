"""The audit log in plain language: every action the code records has a label (found by
reading the source), the page and the filter show labels (the filter's values stay codes),
an unknown code is shown as itself, and an erased person's name never comes back."""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import event, select

import lms
from lms.accounts.models import User
from lms.auditlog.labels import (
    ACTION_LABELS,
    DETAIL_LABELS,
    TARGET_LABELS,
    action_label,
    detail_items,
    target_label,
)
from lms.catalog.queries import get_course_def
from lms.core import audit
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.forums.access import forum_access
from lms.forums.models import ForumThread
from lms.forums.services import set_thread_flag
from tests.conftest import login, post_form

SOURCE = Path(lms.__file__).parent


@pytest.fixture
def app_config() -> dict:
    return {"LMS_ERASURE_VACUUM": False}  # the suite's shared database (see test_erasure.py)


#: The codes built at run time (an f-string), by the shape the scan reads ("{}" for each
#: placeholder). ``test_the_forum_thread_codes_are_the_listed_ones`` checks the list.
DYNAMIC = {
    "forum_thread.{}": {
        "forum_thread.pin",
        "forum_thread.unpin",
        "forum_thread.lock",
        "forum_thread.unlock",
    },
}


def _is_record(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):  # audit.record(...)
        return (
            func.attr == "record" and isinstance(func.value, ast.Name) and func.value.id == "audit"
        )
    return False


def _strings(node: ast.expr | None, where: str, unread: list[str]) -> set[str]:
    """The strings ``node`` can be: a literal, either side of ``a if c else b``, or an
    f-string listed in DYNAMIC; anything else is reported in ``unread``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, where, unread) | _strings(node.orelse, where, unread)
    if isinstance(node, ast.JoinedStr):
        shape = "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
        if shape in DYNAMIC:
            return DYNAMIC[shape]
    unread.append(f"{where}: {ast.unparse(node) if node is not None else '(missing)'}")
    return set()


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def recorded_codes() -> tuple[dict[str, set[str]], dict[str, set[str]], list[str]]:
    """Every action and target type passed to ``audit.record`` in ``lms/`` (with where),
    and the calls whose code cannot be read from the source."""
    actions: dict[str, set[str]] = {}
    targets: dict[str, set[str]] = {}
    unread: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_record(node)):
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            for code in _strings(_argument(node, 1, "action"), where, unread):
                actions.setdefault(code, set()).add(where)
            for code in _strings(_argument(node, 2, "target_type"), where, unread):
                targets.setdefault(code, set()).add(where)
    return actions, targets, unread


def test_the_scan_finds_the_calls():
    """The scan really reads the source: it finds the codes of known calls, even those in a
    conditional expression or an f-string, and every call a plain text search finds."""
    actions, targets, _unread = recorded_codes()
    known = {"user.login", "assignment_rule.create", "forum_post.hide", "forum_post.restore",
             "user.invitation_accepted", "user.reset", "forum_thread.pin"}  # fmt: skip
    assert known <= set(actions)
    assert {"user", "organisation", "counter_label"} <= set(targets)
    calls = sum(
        len(re.findall(r"\baudit\.record\(", path.read_text(encoding="utf-8")))
        for path in SOURCE.rglob("*.py")
    )
    places = set().union(*actions.values())
    assert calls > 40 and len(places) == calls
    # The scan knows the calls by ``audit.record``: nobody imports ``record`` by itself.
    direct = re.compile(r"from lms\.core(\.audit import [^\n]*\brecord\b| import audit as)")
    assert not [p for p in SOURCE.rglob("*.py") if direct.search(p.read_text(encoding="utf-8"))]


def test_every_recorded_action_has_a_label():
    actions, targets, unread = recorded_codes()
    assert not unread, "codes the scan cannot read (add the f-string to DYNAMIC):\n" + "\n".join(
        unread
    )
    missing = {code: sorted(where) for code, where in actions.items() if code not in ACTION_LABELS}
    assert not missing, f"actions without a label in lms/auditlog/labels.py: {missing}"
    missing = {code: sorted(where) for code, where in targets.items() if code not in TARGET_LABELS}
    assert not missing, f"target types without a label in lms/auditlog/labels.py: {missing}"


def test_every_named_detail_has_a_label():
    """The details a call writes by name (``reason=...``) have a name to read too."""
    missing: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _is_record(node):
                for keyword in node.keywords:
                    named = keyword.arg not in (None, "actor_id", "action", "target_type")
                    if named and keyword.arg not in DETAIL_LABELS:
                        missing.setdefault(keyword.arg, set()).add(path.name)
    assert not missing, f"details without a label in lms/auditlog/labels.py: {missing}"


def test_details_read_in_words(app):
    details = {"sent": True, "no_time_limit": False, "roles": ["learner", "trainer"],
               "filters": {"action": "user"}, "due_date": None, "plugin_key": 3}  # fmt: skip
    with app.test_request_context(), force_locale("nl"):
        assert detail_items(details) == [
            ("E-mail verstuurd", "Ja"),
            ("Geen tijdslimiet", "Nee"),
            ("Rollen", "learner, trainer"),
            ("Filters", '{"action": "user"}'),
            ("Uiterste datum", "geen"),
            ("plugin_key", "3"),
        ]
    assert detail_items(None) == [] == detail_items({})


def test_labels_are_distinct_and_translated(app):
    """Two actions never read the same (the filter would show two equal choices), in any
    language, and every label is translated."""
    for language in ("nl", "fr", "de", "en"):
        with app.test_request_context(), force_locale(language):
            for labels in (ACTION_LABELS, TARGET_LABELS):
                texts = [str(label) for label in labels.values()]
                assert len(set(texts)) == len(texts), (language, texts)
                if language != "en":
                    with force_locale("en"):
                        english = [str(label) for label in labels.values()]
                    untranslated = [t for t, e in zip(texts, english, strict=True) if t == e]
                    # A few words are the same in English and another language.
                    assert len(untranslated) <= 2, (language, untranslated)


def test_an_unknown_code_is_shown_as_itself(app):
    with app.test_request_context(), force_locale("nl"):
        assert action_label("user.login") == "Aangemeld"
        assert action_label("plugin.something_new") == "plugin.something_new"
        assert target_label("plugin_thing") == "plugin_thing"


def test_the_forum_thread_codes_are_the_listed_ones(app, rich_person):
    """The f-string in ``set_thread_flag`` makes exactly the codes DYNAMIC lists."""
    with app.app_context():
        session = db.session
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        connectoo = get_course_def(session, "connectoo")
        forum = forum_access(session, admin, connectoo, connectoo.activities_by_id["m1-forum"])
        thread = session.scalars(select(ForumThread)).first()
        for flag in ("pinned", "locked"):
            for value in (True, False):
                set_thread_flag(session, forum, thread, flag, value)
        made = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.target_type == "forum_thread")
            )
        )
        session.rollback()
    assert made == DYNAMIC["forum_thread.{}"]


@pytest.fixture
def entries(app, make_user, make_organisation):
    panne = make_organisation("De Panne")
    admin = make_user(roles=("admin",), name="Ada Admin", language="en")
    els = make_user(name="Els Peeters", organisation=panne)
    with app.app_context():
        audit.record(db.session, "user.login", "user", els.id, actor_id=els.id)
        audit.record(db.session, "user.roles", "user", els.id, actor_id=admin.id, roles=["x"])
        audit.record(db.session, "user.reset_request", "user", els.id, sent=True, plugin_key=3)
        audit.record(db.session, "plugin.something_new", "plugin_thing", 7, actor_id=admin.id)
        db.session.commit()
    return {"admin": admin, "els": els, "panne": panne}


def _cell_texts(html: str, column: int) -> list[str]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S)[column] for row in rows]
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select_html = re.search(rf'<select[^>]*name="{name}">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select_html)


def test_the_page_shows_labels_and_keeps_the_codes(app, entries):
    client = app.test_client()
    login(client, entries["admin"])
    html = client.get("/admin/audit/").get_data(as_text=True)
    els = entries["els"].id
    actions = _cell_texts(html, 2)
    assert "Signed in Code: user.login" in actions
    assert "Roles changed Code: user.roles" in actions
    assert "plugin.something_new" in actions  # unknown: the code itself, once
    about = _cell_texts(html, 3)
    assert f"Person: Els Peeters (#{els})" in about
    assert "plugin_thing (#7)" in about
    details = _cell_texts(html, 4)
    assert "Roles: x" in details
    assert "E-mail sent: Yes plugin_key: 3" in details  # an unknown detail by its key
    # The filters: labels to read, codes as values, in the order of the labels.
    options = _options(html, "action")
    assert ("user.login", "Signed in") in options
    assert ("user.roles", "Roles changed") in options
    assert ("plugin.something_new", "plugin.something_new") in options
    assert [label.casefold() for _, label in options[1:]] == sorted(
        label.casefold() for _, label in options[1:]
    )
    assert ("user", "Person") in _options(html, "target_type")
    # A choice still filters by its code.
    chosen = client.get("/admin/audit/", query_string={"action": "user.roles"})
    html = chosen.get_data(as_text=True)
    assert _cell_texts(html, 2) == ["Roles changed Code: user.roles"]
    assert '<option value="user.roles" selected>Roles changed</option>' in html


def test_the_page_in_dutch(app, entries, make_user):
    coordinator = make_user(roles=("learner", "manager"), manages=[entries["panne"]],
                            organisation=entries["panne"], language="nl")  # fmt: skip
    client = app.test_client()
    login(client, coordinator)
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "Aangemeld Code: user.login" in _cell_texts(html, 2)
    assert f"Persoon: Els Peeters (#{entries['els'].id})" in _cell_texts(html, 3)
    assert ("user.login", "Aangemeld") in _options(html, "action")


def test_the_page_names_people_in_one_query(app, entries, make_user):
    """However many people are on the page (who did it, whom it is about), their names
    cost one query."""
    with app.app_context():
        admin = entries["admin"].id
        for n in range(6):  # even: only about them; odd: only done by them
            person = make_user(name=f"Extra {n}")
            if n % 2:
                audit.record(db.session, "report.export", "report", None, actor_id=person.id)
            else:
                audit.record(db.session, "user.update", "user", person.id, actor_id=admin)
        db.session.commit()
    client = app.test_client()
    login(client, entries["admin"])
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.startswith("SELECT lms_user.id, lms_user.full_name, lms_user.erased_at"):
            seen.append(statement)

    engine = app.extensions["lms"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get("/admin/audit/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 1
    about = _cell_texts(html, 3)
    done_by = _cell_texts(html, 1)
    for n in range(0, 6, 2):
        assert any(cell.startswith(f"Person: Extra {n} (#") for cell in about)
    for n in range(1, 6, 2):
        assert any(cell.startswith(f"Extra {n} (#") for cell in done_by)


def test_an_erased_person_is_never_named_again(app, entries):
    client = app.test_client()
    login(client, entries["admin"])
    els = entries["els"].id
    url = f"/admin/people/{els}/erase"
    erased = post_form(client, url, {"confirm": "y"}, page=url, follow_redirects=True)
    assert "has been erased" in erased.get_data(as_text=True)  # (the message names her once)
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "Els Peeters" not in html and "Peeters" not in html
    about = _cell_texts(html, 3)
    assert f"Person: Former participant (#{els})" in about
    assert f"Former participant (#{els})" in _cell_texts(html, 1)  # she signed in herself
    erased = _cell_texts(html, 2)
    assert "Personal data erased Code: user.erase" in erased
    response = client.get("/admin/audit/", query_string={"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    response.close()
    response = client.get("/admin/audit/", query_string={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    response.close()
    cells = [[str(c.value) for c in row] for row in sheet.iter_rows()]
    for table in (rows, cells):
        assert not [row for row in table if "Peeters" in " ".join(row)]
        hers = [row for row in table[1:] if row[2] == str(els)]
        assert hers and {row[3] for row in hers} == {"Former participant"}


def test_an_unknown_code_in_the_exports_is_neutralised(app, entries):
    """An unknown code is its own label: in the export both cells are neutralised."""
    with app.app_context():
        audit.record(db.session, "=1+2", "user", entries["els"].id, actor_id=entries["admin"].id)
        db.session.commit()
    client = app.test_client()
    login(client, entries["admin"])
    response = client.get("/admin/audit/", query_string={"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    response.close()
    assert [r[4:6] for r in rows[1:] if "1+2" in r[4]] == [["'=1+2", "'=1+2"]]
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "=1+2" in _cell_texts(html, 2)
