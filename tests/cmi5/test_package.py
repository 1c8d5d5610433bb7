"""``lms export cmi5``: the package's structure validates against the official cmi5 XSD,
follows the course, holds every file its pages need, and bad input gets a clear error."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from lxml import etree, html

from lms.cmi5.source import load_course
from lms.cmi5.structure import NAMESPACE, plan_package
from lms.commands import lms_group
from tests.cmi5.conftest import read_zip
from tests.conftest import REPO

NS = {"c": NAMESPACE}
BASE = "http://127.0.0.1:5000/xapi/activities/course"  # LMS_XAPI_BASE_IRI of the tests


@pytest.fixture
def demo(export, tmp_path: Path) -> dict[str, bytes]:
    result = export("cmi5-demo")
    assert result.exit_code == 0, result.output
    return read_zip(tmp_path / "work" / "cmi5-demo-cmi5.zip")


def structure(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["cmi5.xml"])


def langstrings(element: etree._Element, tag: str) -> dict[str, str]:
    return {s.get("lang"): s.text for s in element.findall(f"c:{tag}/c:langstring", namespaces=NS)}


def test_the_structure_validates_against_the_official_xsd(demo, course_schema):
    document = structure(demo)
    assert course_schema.validate(document), course_schema.error_log


@pytest.mark.parametrize("slug", ["connectoo", "connectoo-plus"])
def test_the_real_courses_validate_against_the_xsd(app, course_schema, slug, tmp_path):
    app.config["LMS_COURSES_PATH"] = str(REPO / "courses")
    app.config["LMS_QUIZZES_PATH"] = str(REPO / "quizzes")
    output = tmp_path / f"{slug}.zip"
    result = app.test_cli_runner().invoke(
        lms_group, ["export", "cmi5", slug, "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    files = read_zip(output)
    assert course_schema.validate(structure(files)), course_schema.error_log
    for url in structure(files).xpath("//c:au/c:url/text()", namespaces=NS):
        assert url in files


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: doc.find(".//c:au", NS).set("moveOn", "Sometimes"),
        lambda doc: doc.find(".//c:au", NS).set("masteryScore", "1.5"),
        lambda doc: doc.find(".//c:au", NS).remove(doc.find(".//c:au/c:url", NS)),
        lambda doc: doc.find(".//c:block", NS).remove(doc.find(".//c:block/c:description", NS)),
    ],
    ids=["moveOn", "masteryScore", "url", "description"],
)
def test_the_xsd_check_rejects_a_broken_structure(demo, course_schema, damage):
    document = structure(demo)
    damage(document)
    assert not course_schema.validate(document)


def test_the_structure_follows_the_course(demo, content):
    courses, _ = content
    course = yaml.safe_load((courses / "cmi5-demo.yaml").read_text(encoding="utf-8"))
    module = course["modules"][0]
    elearning, test = module["activities"][:2]
    document = structure(demo)
    top = document.find("c:course", NS)
    assert top.get("id") == f"{BASE}/cmi5-demo"
    assert langstrings(top, "title") == {
        "nl-BE": course["title"]["nl"],
        "fr-BE": course["title"]["fr"],
    }
    blocks = document.findall("c:block", NS)
    # m2 has only a forum: no block for it (a block needs an AU).
    assert [b.get("id") for b in blocks] == [f"{BASE}/cmi5-demo/module/{module['id']}"]
    assert langstrings(blocks[0], "title") == {
        "nl-BE": module["title"]["nl"],
        "fr-BE": module["title"]["fr"],
    }
    aus = blocks[0].findall("c:au", NS)
    assert [au.get("id") for au in aus] == [
        f"{BASE}/cmi5-demo/activity/{elearning['id']}",
        f"{BASE}/cmi5-demo/activity/{test['id']}",
    ]
    assert [au.get("moveOn") for au in aus] == ["Completed", "Passed"]
    assert aus[0].get("masteryScore") is None
    assert float(aus[1].get("masteryScore")) == test["pass_mark"]
    assert langstrings(aus[1], "title") == {
        "nl-BE": test["title"]["nl"],
        "fr-BE": test["title"]["fr"],
    }
    for au in aus:
        url = au.findtext("c:url", namespaces=NS)
        assert not re.match(r"^[a-z]+:", url) and url in demo


def test_an_activity_the_module_does_not_count_does_not_have_to_be_done(export, content, tmp_path):
    courses, _ = content
    course_file = courses / "cmi5-demo.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(text.replace("[m1-elearning, m1-test]", "[m1-elearning]"), "utf-8")
    assert export("cmi5-demo").exit_code == 0
    aus = structure(read_zip(tmp_path / "work" / "cmi5-demo-cmi5.zip")).findall(".//c:au", NS)
    assert [au.get("moveOn") for au in aus] == ["Completed", "NotApplicable"]


def test_the_ids_start_with_the_lms_address(app, export, tmp_path):
    result = export("cmi5-demo")
    assert "Set it to this LMS's public address" in result.output  # the tests' 127.0.0.1
    app.config["LMS_XAPI_BASE_IRI"] = "https://connectoo.example.be/"
    output = tmp_path / "public.zip"
    result = export("cmi5-demo", "--output", str(output))
    assert result.exit_code == 0 and "public address" not in result.output
    ids = structure(read_zip(output)).xpath("//@id")
    assert ids and all(i.startswith("https://connectoo.example.be/xapi/activities/") for i in ids)


def test_one_module_becomes_a_course_of_its_own(export, tmp_path, course_schema):
    result = export("cmi5-demo", "m1")
    assert result.exit_code == 0, result.output
    files = read_zip(tmp_path / "work" / "cmi5-demo-m1-cmi5.zip")
    document = structure(files)
    assert course_schema.validate(document), course_schema.error_log
    assert document.find("c:course", NS).get("id") == f"{BASE}/cmi5-demo/module/m1"
    assert document.findall("c:block", NS) == []
    assert len(document.findall("c:au", NS)) == 2
    assert "left out: m1/m1-forum" in result.output


def test_the_pages_need_nothing_outside_the_package(demo):
    pages = {name: data for name, data in demo.items() if name.endswith(".html")}
    assert set(pages) == {"m1-elearning/index.html", "m1-test/index.html"}
    for name, data in pages.items():
        page = html.fromstring(data)
        links = page.xpath("//script/@src | //link/@href | //img/@src")
        assert links
        for link in links:
            assert "://" not in link and not link.startswith("/"), link
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
            assert target in demo, f"{name}: {link} is not in the package"
    for name in ("shared/cmi5-runtime.js", "shared/elearning.js", "shared/test.js"):
        # No library or font from a CDN: the only addresses are the cmi5 IRIs.
        addresses = re.findall(rb"https?://[^\s\"')]+", demo[name])
        assert all(a.startswith((b"http://adlnet.gov/", b"https://w3id.org/")) for a in addresses)


def test_the_elearning_page_holds_every_language_and_its_image(demo, content):
    courses, _ = content
    page = html.fromstring(demo["m1-elearning/index.html"])
    versions = {v.get("data-lang"): v for v in page.xpath("//*[@class='au-version']")}
    assert set(versions) == {"nl", "fr"}
    assert versions["nl"].get("lang") == "nl-BE" and versions["fr"].get("lang") == "fr-BE"
    for lang, title in (("nl", "Welkom"), ("fr", "Bienvenue")):
        sections = versions[lang].xpath(".//article[@class='au-section']")
        assert [s.get("data-section") for s in sections] == ["s1", "s2", "s3"]
        assert sections[0].findtext("h1") == title
        image = sections[0].xpath(".//img")[0]
        assert image.get("src") == "../media/cmi5-demo/img/plan.png"
        # The call-out box's title in the page's own language (two different words).
        assert sections[1].xpath(".//p[@class='callout-title']")
        assert sections[2].xpath(".//a/@href") == ["https://video.example.org/itsme"]
    titles = {
        lang: v.xpath(".//p[@class='callout-title']/text()")[0] for lang, v in versions.items()
    }
    assert titles["nl"] != titles["fr"]
    original = (courses / "cmi5-demo" / "img" / "plan.png").read_bytes()
    assert demo["media/cmi5-demo/img/plan.png"] == original


def test_the_test_page_carries_its_questions(demo, content):
    _, quizzes = content
    bank = yaml.safe_load((quizzes / "cmi5-demo-bank.yaml").read_text(encoding="utf-8"))
    script = demo["m1-test/questions.js"].decode()
    data = json.loads(script.removeprefix("window.LMS_CMI5_TEST = ").rstrip().rstrip(";"))
    assert [q["id"] for q in data["questions"]] == [
        f"cmi5-demo-bank/{q['id']}" for q in bank["questions"]
    ]
    assert {q["type"] for q in data["questions"]} == {q["type"] for q in bank["questions"]}
    assert data["languages"] == ["nl", "fr"]


def test_the_same_course_gives_the_same_bytes(export, tmp_path):
    first = tmp_path / "first.zip"
    second = tmp_path / "second.zip"
    assert export("cmi5-demo", "--output", str(first)).exit_code == 0
    assert export("cmi5-demo", "--output", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


# Bad input ------------------------------------------------------------------------------


def test_an_unknown_course_is_named_with_the_known_ones(export, tmp_path):
    result = export("no-such-course")
    assert result.exit_code == 1
    assert "there is no course `no-such-course`" in result.output
    assert "courses: cmi5-demo" in result.output
    assert not list((tmp_path / "work").glob("*.zip"))


def test_an_unknown_module_is_named_with_the_known_ones(export, tmp_path):
    result = export("cmi5-demo", "m9")
    assert result.exit_code == 1
    assert "course `cmi5-demo` has no module `m9` (modules: m1, m2)" in result.output
    assert not list((tmp_path / "work").glob("*"))


def test_a_module_without_an_elearning_or_test_has_nothing_to_export(export):
    result = export("cmi5-demo", "m2")
    assert result.exit_code == 1
    assert "nothing to export" in result.output


@pytest.mark.parametrize(
    "missing", ["cmi5-demo/img/plan.png", "cmi5-demo/welkom.fr.md"], ids=["image", "body_file"]
)
def test_a_file_the_course_needs_is_missing(export, content, tmp_path, missing):
    courses, _ = content
    (courses / missing).unlink()
    result = export("cmi5-demo")
    assert result.exit_code == 1
    assert re.search(r"cmi5-demo\.yaml has [12] error\(s\); fix them first", result.output)
    assert "E401" in result.output and Path(missing).name in result.output
    assert not list((tmp_path / "work").glob("*"))


def test_a_broken_question_bank_stops_the_export(export, content):
    _, quizzes = content
    bank = quizzes / "cmi5-demo-bank.yaml"
    bank.write_text(
        bank.read_text(encoding="utf-8").replace("answer: true", "answer: maybe"), "utf-8"
    )
    result = export("cmi5-demo")
    assert result.exit_code == 1
    assert "error(s); fix them first" in result.output


def test_an_output_that_cannot_be_written_is_named(export, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = export("cmi5-demo", "--output", str(tmp_path / "a-file" / "out.zip"))
    assert result.exit_code == 1
    assert f"cannot write {tmp_path / 'a-file' / 'out.zip'}" in result.output


def test_a_missing_course_folder_is_named(export, tmp_path):
    result = export("cmi5-demo", courses_path=tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "nowhere" in result.output


def test_a_plan_lists_what_it_leaves_out(content):
    courses, quizzes = content
    plan = plan_package(load_course(courses, quizzes, "cmi5-demo").course)
    assert plan.left_out == (
        "m1/m1-forum (forum: needs this LMS)",
        "m2/m2-forum (forum: needs this LMS)",
        "m2 (no e-learning or test)",
    )
