"""Search: word forms and accents, the same results on SQLite and PostgreSQL, filters and
their counts, hostile queries."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.authoring.importer import import_paths
from lms.core.db import db
from lms.databank import queries
from lms.databank.models import Resource
from lms.databank.search import MAX_QUERY_LENGTH, index_terms, parse_query, resource_texts
from tests.conftest import login

REPO = Path(__file__).resolve().parents[2]

#: Queries with the fixture resources they must find (by word form, without accents...).
WORD_FORMS = {
    "handleidingen": {"t-itsme-handleiding", "t-ebox-handleidingen", "t-videobellen"},
    "handleiding": {"t-itsme-handleiding", "t-ebox-handleidingen", "t-videobellen"},
    "securite": {"t-veilig-online"},
    "SÉCURITÉ en ligne": {"t-veilig-online"},
    "hameconnage": {"t-veilig-online"},
    "manuel": {"t-ebox-handleidingen", "t-videobellen"},
    "exercice": {"t-csam-oefeningen"},
    "oefening": {"t-csam-oefeningen"},
    "itsme video": {"t-itsme-video"},
    "VIDÉO": {"t-itsme-video", "t-videobellen"},
    "competences": {"t-vragenlijst"},
    "namur": {"t-csam-oefeningen", "t-veilig-online"},
    "bewoner": {"t-vragenlijst"},
    "compétence numérique": {"t-vragenlijst"},
}

#: Queries that must not break anything (FTS syntax, odd characters).
HOSTILE = [
    '"itsme',
    'itsme"',
    "itsme*",
    "*",
    "NEAR(itsme video)",
    "itsme NEAR video",
    "-itsme",
    "itsme -video",
    "(itsme",
    "itsme)",
    "itsme AND OR NOT",
    "AND",
    "title:itsme",
    "^itsme",
    "itsme + video",
    "' OR 1=1 --",
    "%_%",
    "\\",
    "{itsme}",
    "😀 itsme",
    "ß",
]


def _slugs(session, ids):
    return set(session.scalars(select(Resource.slug).where(Resource.id.in_(ids))))


def _search(session, q="", **filters):
    args = MultiDict([("q", q)] + [(k, v) for k, vs in filters.items() for v in vs])
    return queries.parse_search(args, 1)


def test_word_forms_and_accents(app, imported):
    with app.app_context():
        for q, expected in WORD_FORMS.items():
            found = _slugs(db.session, queries.result_ids(db.session, _search(db.session, q)))
            assert found == expected, q


def _reference(resources, query):
    """What any engine must return: every word of the query has one of its stems among the
    resource's indexed terms (computed in Python, independent of the database)."""
    terms = {r.slug: set(index_terms(resource_texts(r)).split()) for r in resources}
    return {
        slug
        for slug, words in terms.items()
        if all(any(stem in words for stem in options) for options in query.words)
    }


def test_both_engines_give_the_reference_results(app, imported):
    """Run on SQLite and on PostgreSQL (the suite's two runs): each engine must return exactly
    the reference result, so both return the same. The shipped collection is included."""
    shipped = REPO / "courses" / "resources"
    with app.app_context():
        if shipped.is_dir() and any(shipped.glob("*.yaml")):
            import_paths(db.session, [shipped], certificates_dir=None)
            db.session.commit()
        resources = list(db.session.scalars(select(Resource)))
        words = sorted({t for r in resources for text in resource_texts(r) for t in text.split()})
        queries_to_run = [*WORD_FORMS, *HOSTILE, *words[:: max(1, len(words) // 60)]]
        assert len(queries_to_run) > 60
        for q in queries_to_run:
            search = _search(db.session, q[:MAX_QUERY_LENGTH])
            expected = (
                _reference(resources, search.query) if search.query else {r.slug for r in resources}
            )
            assert _slugs(db.session, queries.result_ids(db.session, search)) == expected, q


def test_hostile_queries_get_a_page(app, client, imported):
    for q in HOSTILE:
        response = client.get("/databank/", query_string={"q": q})
        assert response.status_code == 200, q
    response = client.get("/databank/", query_string={"q": '"itsme"*'})
    assert "t-itsme-handleiding" in response.get_data(as_text=True)


def test_a_long_query_gets_a_clear_message(app, client, imported):
    response = client.get("/databank/", query_string={"q": "itsme " * 100})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert str(MAX_QUERY_LENGTH) in html
    with pytest.raises(ValueError):
        parse_query("x" * (MAX_QUERY_LENGTH + 1))


@pytest.mark.parametrize(
    "query_string",
    [
        "type=handboek",
        "group=iedereen&type=manual",
        "theme=<script>",
        "language=xx",
        "sort=drop table",
        "organisation=" + "x" * 500,
        "organisation=Nergens",
        "organisation=Stad+Gent&organisation=Nergens",
        "&".join(f"type=t{i}" for i in range(30)),
        "page=99999999999999999999",
        "page=-1",
    ],
)
def test_unknown_filter_values_get_a_clear_message(app, client, imported, query_string):
    response = client.get("/databank/?" + query_string)
    assert response.status_code in (200, 400)
    if "page=" not in query_string:
        assert response.status_code == 400
        assert 'class="notice notice-error"' in response.get_data(as_text=True)


FILTER_VALUES = {
    "type": [None, ("manual",), ("manual", "video")],
    "group": [None, ("everyone",), ("older_people", "digihelpers")],
    "language": [None, ("fr",)],
    "theme": [None, ("itsme", "online_safety")],
    "organisation": [None, ("Stad Gent",)],
}


def _values(resource, facet):
    return {
        "type": [resource.type],
        "group": resource.target_groups,
        "language": resource.languages,
        "theme": resource.themes,
        "organisation": [resource.organisation_name],
    }[facet]


def test_every_filter_combination_counts_correctly(app, imported):
    """Every combination of the filters above, with and without a word: the results and each
    facet value's count (the other filters applied) equal a count made in Python."""
    with app.app_context():
        resources = list(db.session.scalars(select(Resource)))
        combos = itertools.product(*FILTER_VALUES.values(), [None, "handleiding"])
        for *choice, q in combos:
            filters = {f: v for f, v in zip(FILTER_VALUES, choice, strict=True) if v}
            search = _search(db.session, q or "", **filters)
            matching_text = (
                {r.slug for r in resources} if not q else _reference(resources, search.query)
            )

            def keep(resource, skip=None, filters=filters, matching_text=matching_text):
                return resource.slug in matching_text and all(
                    set(values) & set(_values(resource, facet))
                    for facet, values in filters.items()
                    if facet != skip
                )

            page = queries.run_search(db.session, search, "nl", per_page=100)
            assert {r.slug for r in page.items} == {r.slug for r in resources if keep(r)}
            assert page.total == len(page.items)
            counts = queries.facet_counts(db.session, search)
            for facet in FILTER_VALUES:
                expected: dict[str, int] = {}
                for resource in resources:
                    if keep(resource, skip=facet):
                        for value in set(_values(resource, facet)):
                            expected[value] = expected.get(value, 0) + 1
                assert counts[facet] == expected, (filters, q, facet)


def test_the_page_shows_filters_in_the_url_sorts_and_pages(app, client, imported):
    response = client.get("/databank/?type=manual&sort=organisation&order=desc")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Stad Gent, then Digipunt Brugge's two, which their titles order ("(" before "i").
    order = ["t-ebox-handleidingen", "t-videobellen", "t-itsme-handleiding"]
    positions = [html.index(f"/databank/r/{slug}") for slug in order]
    assert positions == sorted(positions)
    assert "/databank/r/t-itsme-video" not in html
    assert 'aria-sort="descending"' in html
    assert 'name="type" value="manual" checked' in html
    with app.app_context():
        search = _search(db.session)
        assert queries.run_search(db.session, search, "nl", per_page=3).pages == 3
        second = queries.run_search(db.session, queries.Search(page=2), "nl", per_page=3)
        assert len(second.items) == 3


def test_generated_resources_are_searchable(app):
    """``lms demo --scale``'s bulk insert keeps the full-text index and the facets filled."""
    from lms.synthetic import generate_resources

    with app.app_context():
        assert generate_resources(db.session, 60) == 60
        resources = list(db.session.scalars(select(Resource)))
        search = _search(db.session, "handleidingen", type=["manual"])
        found = {r.slug for r in queries.run_search(db.session, search, "nl", 100).items}
        assert found == {
            r.slug
            for r in resources
            if r.type == "manual" and r.slug in _reference(resources, search.query)
        }
        assert found
        counts = queries.facet_counts(db.session, _search(db.session))
        assert sum(counts["type"].values()) == 60


def test_the_search_page_costs_the_same_whatever_the_size(app, client, imported, make_user, engine):
    """Signed in, a word and a filter: the person, the counts, the total, the page, the stars;
    the same statements for 8 resources as for 68 (tests/learning's counter)."""
    from sqlalchemy import event

    from lms.synthetic import generate_resources
    from tests.learning.conftest import QueryCounter

    login(client, make_user())
    url = "/databank/?q=handleiding&type=manual&organisation=Stad+Gent"

    def count():
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return counter.count

    # The first search after a change reads the facets and the order into the worker's copy
    # (index.py); the next ones read the token, the words' matches, the page and the stars.
    small_first, small_again = count(), count()
    with app.app_context():
        generate_resources(db.session, 60)
    assert (count(), count()) == (small_first, small_again)
    assert small_again <= 6 < small_first <= 9


def _token(session):
    from lms.databank.models import DatabankGeneration

    return session.scalar(select(DatabankGeneration.token))


def test_every_change_to_searchable_rows_gives_the_copy_a_new_token(app, imported):
    """Triggers (not the services) change the token: so a change made in SQL, by an import
    or on another host is seen by every worker's copy."""
    from sqlalchemy import text

    statements = [
        "UPDATE lms_resource SET organisation_name = organisation_name "
        "WHERE slug = 't-vragenlijst'",
        "UPDATE lms_resource_facet SET value = value WHERE facet = 'type'",
        "UPDATE lms_resource_search SET terms = terms || ' extra'",
        "DELETE FROM lms_resource_facet WHERE facet = 'theme'",
        "DELETE FROM lms_resource_search WHERE resource_id IN "
        "(SELECT id FROM lms_resource WHERE slug = 't-vragenlijst')",
    ]
    with app.app_context():
        tokens = [_token(db.session)]
        for statement in statements:
            db.session.execute(text(statement))
            tokens.append(_token(db.session))
        assert None not in tokens
        assert len(set(tokens)) == len(tokens), tokens


def _count_of(html: str, value: str) -> int:
    """The count shown beside a filter value's box."""
    found = re.search(
        rf'value="{value}"( checked)?>\s*<label[^>]*>[^<]*<span class="filter-count">\((\d+)\)',
        html,
    )
    assert found, value
    return int(found.group(2))


def test_the_kept_filters_are_the_searchs_and_the_stars_the_persons(
    app, client, imported, make_user
):
    """The filters with their counts are rendered once per search and kept with the copy;
    the rows (stars, their form token) are made for each person."""
    url = "/databank/?q=handleiding&type=manual"
    first, second = make_user(), make_user()
    login(client, first)
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with app.app_context():
        item = db.session.scalar(select(Resource).where(Resource.slug == "t-itsme-handleiding"))
        number = item.id
    response = client.post(f"/databank/r/{number}/favourite", data={"on": "1", "csrf_token": token})
    assert response.status_code in (302, 303)
    mine = client.get(url).get_data(as_text=True)
    assert 'aria-pressed="true"' in mine
    assert _count_of(mine, "manual") == _count_of(page, "manual")
    other = app.test_client()
    login(other, second)
    theirs = other.get(url).get_data(as_text=True)
    assert 'aria-pressed="true"' not in theirs
    assert _count_of(theirs, "manual") == _count_of(mine, "manual")
    # Another order of the same search: the same counts, its own hidden order field.
    by_type = client.get(url + "&sort=type").get_data(as_text=True)
    assert '<input type="hidden" name="sort" value="type">' in by_type
    assert '<input type="hidden" name="sort"' not in mine


def test_a_search_sees_a_change_made_behind_the_application(app, client, imported):
    """The worker's copy is used again while nothing changes, and dropped at once when a
    facet changes in plain SQL (as another host or a hand-made fix would)."""
    from sqlalchemy import text

    from lms.databank import index

    url = "/databank/?type=manual"
    first = client.get(url).get_data(as_text=True)
    assert "/databank/r/t-itsme-handleiding" in first
    manuals = _count_of(first, "manual")
    with app.app_context():
        kept = index.facet_index(db.session)
        assert index.facet_index(db.session) is kept  # nothing changed: the same copy
        db.session.execute(
            text(
                "DELETE FROM lms_resource_facet WHERE facet = 'type' AND resource_id = "
                "(SELECT id FROM lms_resource WHERE slug = 't-itsme-handleiding')"
            )
        )
        db.session.commit()
        assert index.facet_index(db.session) is not kept
    html = client.get(url).get_data(as_text=True)
    assert "/databank/r/t-itsme-handleiding" not in html
    assert "/databank/r/t-ebox-handleidingen" in html
    assert _count_of(html, "manual") == manuals - 1  # the kept filters were rendered again
    with app.app_context():
        db.session.execute(
            text("UPDATE lms_resource SET status = 'rejected' WHERE slug = 't-ebox-handleidingen'")
        )
        db.session.commit()
    assert "/databank/r/t-ebox-handleidingen" not in client.get(url).get_data(as_text=True)
