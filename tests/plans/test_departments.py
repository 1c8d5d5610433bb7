"""A coordinator sets a suggested learning time for her departments, never another
organisation's; every reminder and plan URL with a foreign id answers 404 (the walk is
generated from the URL map)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.core.db import db
from lms.plans.models import DepartmentPlanTime
from lms.reminders.models import Reminder
from tests.conftest import csrf_token, login
from tests.reporting.conftest import department


def _coordinator(make_user, organisation):
    return make_user(manages=[organisation], roles=("manager",), language="en")


def test_set_change_and_remove_a_departments_time(app, client, make_user, towns):
    de_panne, _koksijde = towns
    onthaal = department(app, de_panne, "Onthaal")
    login(client, _coordinator(make_user, de_panne))
    listing = client.get("/progress/learning-times").get_data(as_text=True)
    assert "Onthaal" in listing and "Koksijde" not in listing
    url = f"/progress/learning-times/{onthaal.id}"
    token = csrf_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "weekdays": ["MO"], "time": "9u",
                                 "minutes": "30"})  # fmt: skip
    assert bad.status_code == 422
    assert "Give a time between 00:00 and 23:59" in bad.get_data(as_text=True)
    none = client.post(url, data={"csrf_token": token, "time": "09:00", "minutes": "30"})
    assert "Choose at least one day of the week." in none.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": token, "weekdays": ["MO", "WE"], "time": "9.15",
                                "minutes": "45"})  # fmt: skip
    assert ok.status_code == 302
    listing = " ".join(re.sub(r"<[^>]+>", " ", client.get("/progress/learning-times")
                              .get_data(as_text=True)).split())  # fmt: skip
    assert "Every Monday and Wednesday, 9:15 AM to 10:00 AM" in listing
    client.post(url, data={"csrf_token": token, "action": "clear"})
    with app.app_context():
        assert db.session.scalar(select(DepartmentPlanTime.department_id)) is None


def test_foreign_ids_answer_404_on_every_reminder_and_plan_url(app, client, make_user, towns,
                                                               report_course):  # fmt: skip
    de_panne, koksijde = towns
    foreign_department = department(app, koksijde, "Onthaal")
    foreign = make_user(name="Zeno Vreemd", organisation=koksijde)
    login(client, _coordinator(make_user, de_panne))
    token = csrf_token(client, "/progress/learning-times")
    values = {"user_id": foreign.id, "department_id": foreign_department.id}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("lms.reminders.", "lms.plans.")):
            continue
        if not set(rule.arguments) & set(values):
            continue
        url = rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(
                url, method=method, data={"csrf_token": token, "weekdays": ["MO"],
                                          "time": "09:00", "minutes": "30", "enrolment": "1"},
            )  # fmt: skip
            assert response.status_code == 404, (method, url)
            checked += 1
    assert checked >= 3
    with app.app_context():
        assert db.session.scalar(select(DepartmentPlanTime.department_id)) is None
        assert db.session.scalar(select(Reminder.id)) is None


def test_learners_cannot_set_learning_times(app, client, make_user, towns):
    de_panne, _ = towns
    onthaal = department(app, de_panne, "Onthaal")
    login(client, make_user(organisation=de_panne))
    assert client.get("/progress/learning-times").status_code == 403
    assert client.get(f"/progress/learning-times/{onthaal.id}").status_code == 403
    assert client.get("/admin/experiment").status_code == 403
