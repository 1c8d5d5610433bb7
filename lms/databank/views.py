"""Pages of the databank: search, a resource, favourites, lists, proposals, the review queue."""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge

from lms.authoring.resources import register_resource_store
from lms.core.auth import role_required
from lms.core.db import db
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.navigation import MenuEntry, register_menu_entry
from lms.core.params import int_form, page_arg
from lms.core.urls import safe_next
from lms.databank import queries, services
from lms.databank.files import UploadRefused, check_upload, store_upload
from lms.databank.forms import ListForm, ProposalForm, RejectForm, ReviewForm
from lms.databank.labels import FACET_LABELS, page_labels
from lms.databank.models import FACETS, Resource, ResourceList
from lms.databank.rows import result_rows
from lms.databank.search import MAX_QUERY_LENGTH

bp = Blueprint("databank", __name__, template_folder="templates")
bp.add_app_template_global(result_rows, "databank_rows")

register_resource_store(services.CuratedStore())


def _is_trainer(user: Any) -> bool:
    return user.is_authenticated and (user.is_admin or user.has_role("trainer"))


register_menu_entry(
    MenuEntry(endpoint="lms.databank.index", label=lambda: _("Databank"), shown_to=lambda u: True)
)
register_menu_entry(
    MenuEntry(
        endpoint="lms.databank.review",
        label=lambda: _("Proposals to review"),
        shown_to=_is_trainer,
        count=lambda: queries.pending_count(db.session),
        count_text=lambda n: _("%(n)d waiting", n=n),
    )
)


def browsable(view):
    """Open to visitors when LMS_DATABANK_PUBLIC, else to signed-in people only."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_app.config["LMS_DATABANK_PUBLIC"] and not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return view(*args, **kwargs)

    return wrapped


def _problem_text(kind: str, detail: str) -> str:
    if kind == "too-long":
        return _(
            "Your search is too long. Use at most %(n)d characters: a few words are enough.",
            n=MAX_QUERY_LENGTH,
        )
    if kind == "too-many":
        return _(
            "Too many choices for one filter (%(name)s). Only the first ones are used.", name=detail
        )
    return _("We do not know the filter %(value)s. It was left out.", value=detail)


def _search_args(search: queries.Search, **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if search.text:
        args["q"] = search.text
    for facet, values in search.filters.items():
        args[queries.FACET_PARAMS[facet]] = list(values)
    if search.sort != "title":
        args["sort"] = search.sort
    if search.descending:
        args["order"] = "desc"
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, "", [])}


def _facet_rows(
    counts: dict[str, dict[str, int]], search: queries.Search, value_label: Any
) -> list[tuple[str, str, Any, Markup]]:
    """(facet, URL parameter, label, its check boxes with their counts) for the filters."""
    facets = []
    for facet in FACETS:
        values = counts[facet]
        if facet == "organisation":
            order = sorted(values, key=str.casefold)
        else:
            vocabulary = queries.VOCABULARY[facet] or ()
            order = [v for v in vocabulary if v in values]
        for selected in search.filters.get(facet, ()):
            if selected not in order:  # keep a ticked box visible, with 0
                order.append(selected)
        param = queries.FACET_PARAMS[facet]
        ticked = search.filters.get(facet, ())
        # The boxes are written here rather than in the template: a hundred of them (one per
        # organisation) cost a fifth of the page in Jinja, most of it escaping.
        boxes = "\n".join(
            f'<div class="choice">\n<input class="choice-input" type="checkbox" '
            f'id="f-{param}-{number}" name="{param}" value="{escape(value)}"'
            f"{' checked' if value in ticked else ''}>\n"
            f'<label class="choice-label" for="f-{param}-{number}">'
            f"{escape(value_label(facet, value))} "
            f'<span class="filter-count">({values.get(value, 0)})</span></label>\n</div>'
            for number, value in enumerate(order, 1)
        )
        facets.append((facet, param, FACET_LABELS[facet], Markup(boxes)))
    return facets


@bp.get("/")
@browsable
def index():
    search = queries.parse_search(request.args, page_arg())
    queries.check_organisations(db.session, search)
    language = current_language()
    value_label = page_labels()
    results = queries.search_page(db.session, search, language)
    page = results.page
    favourites: set[int] = set()
    if current_user.is_authenticated:
        favourites = queries.favourite_ids(db.session, current_user.id, [r.id for r in page.items])
    # The filters and their counts follow from the databank's copy, the words, the ticked
    # values, the order and the language: rendered once per copy (about a third of the page).
    key = (
        "filters",
        language,
        search.query.words,
        tuple(search.filters.items()),
        search.sort,
        search.descending,
        bool(search.text),
    )
    filters = results.index.fragment(key)
    if filters is None:
        filters = Markup(
            render_template(
                "lms/databank/_filters.html",
                search=search,
                facets=_facet_rows(results.counts(), search, value_label),
            )
        )
        results.index.keep_fragment(key, filters)
    problems = [_problem_text(kind, detail) for kind, detail in search.problems]
    sort_links = {
        key: url_for(
            "lms.databank.index",
            **_search_args(
                search,
                sort=key,
                order="desc" if search.sort == key and not search.descending else None,
            ),
        )
        for key in ("title", "organisation", "type")
    }
    return (
        render_template(
            "lms/databank/index.html",
            search=search,
            page=page,
            filters=filters,
            favourites=favourites,
            problems=problems,
            search_args=_search_args,
            sort_links=sort_links,
            language=language,
            value_label=value_label,
        ),
        400 if problems else 200,
    )


def _published_or_404(slug: str) -> Resource:
    resource = queries.published_by_slug(db.session, slug)
    if resource is None:
        abort(404)
    return resource


@bp.get("/r/<slug>")
@browsable
def resource(slug: str):
    item = _published_or_404(slug[:80])
    language = current_language()
    lists: list[ResourceList] = []
    is_favourite = False
    if current_user.is_authenticated:
        lists = queries.lists_of(db.session, current_user.id)
        is_favourite = bool(queries.favourite_ids(db.session, current_user.id, [item.id]))
    courses = [
        (course_slug, services.localised(title, language) or course_slug)
        for course_slug, title, _default in queries.courses_using(db.session, item.slug)
    ]
    return render_template(
        "lms/databank/resource.html",
        item=item,
        language=language,
        lists=lists,
        is_favourite=is_favourite,
        courses=courses,
        value_label=page_labels(),
    )


def _send_stored(item: Resource):
    if not item.file_stored:
        abort(404)
    path = Path(current_app.extensions["lms"].instance_path) / "databank" / item.file_stored
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=item.file_type,
        as_attachment=True,
        download_name=item.file_name or item.file_stored,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/r/<slug>/file")
@browsable
def download(slug: str):
    return _send_stored(_published_or_404(slug[:80]))


@bp.get("/proposals/<id:resource_id>/file")
@login_required
def proposal_file(resource_id: int):
    """A proposal's file, for its proposer and the trainers (before it is published)."""
    item = db.session.get(Resource, resource_id)
    if item is None or not (item.added_by_id == current_user.id or _is_trainer(current_user)):
        abort(404)
    return _send_stored(item)


# -- favourites ---------------------------------------------------------------------------------


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


@bp.post("/r/<id:resource_id>/favourite")
@login_required
def favourite(resource_id: int):
    item = db.session.get(Resource, resource_id)
    if item is None or not item.published:
        abort(404)
    on = request.form.get("on") == "1"
    services.set_favourite(db.session, current_user.id, item.id, on)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            favourite=on,
            label=_("Remove from my favourites") if on else _("Add to my favourites"),
        )
    flash(_("Added to your favourites.") if on else _("Removed from your favourites."), "success")
    return redirect(_back(url_for("lms.databank.resource", slug=item.slug)))


@bp.get("/favourites")
@login_required
def favourites():
    language = current_language()
    items = queries.favourites(db.session, current_user.id, language)
    return render_template(
        "lms/databank/favourites.html",
        items=items,
        language=language,
        favourites={r.id for r in items},
        value_label=page_labels(),
    )


# -- lists --------------------------------------------------------------------------------------


@bp.route("/lists", methods=["GET", "POST"])
@login_required
def lists():
    form = ListForm()
    if form.validate_on_submit():
        created = services.create_list(db.session, current_user, form.name.data)
        db.session.commit()
        flash(_("Your list is made."), "success")
        return redirect(url_for("lms.databank.show_list", list_id=created.id))
    return render_template(
        "lms/databank/lists.html", form=form, lists=queries.lists_of(db.session, current_user.id)
    ), (400 if form.errors else 200)


def _own_list(list_id: int) -> ResourceList:
    found = db.session.get(ResourceList, list_id)
    if found is None or found.owner_id != current_user.id:
        abort(404)
    return found


@bp.get("/lists/<id:list_id>")
@login_required
def show_list(list_id: int):
    found = queries.visible_list(db.session, list_id, current_user)
    if found is None:
        abort(404)
    from lms.accounts.models import User

    language = current_language()
    items = queries.list_items(db.session, found.id, language)
    return render_template(
        "lms/databank/list.html",
        found=found,
        owner=db.session.get(User, found.owner_id),
        items=items,
        language=language,
        mine=found.owner_id == current_user.id,
        share_url=url_for("lms.databank.show_list", list_id=found.id, _external=True),
        value_label=page_labels(),
    )


@bp.post("/r/<id:resource_id>/add-to-list")
@login_required
def add_to_list(resource_id: int):
    item = db.session.get(Resource, resource_id)
    if item is None or not item.published:
        abort(404)
    list_id = int_form("list_id")
    if list_id is None:
        flash(_("Choose a list."), "error")
        return redirect(url_for("lms.databank.resource", slug=item.slug))
    target = _own_list(list_id)
    services.add_to_list(db.session, target, item.id)
    db.session.commit()
    flash(_("Added to the list “%(name)s”.", name=target.name), "success")
    return redirect(_back(url_for("lms.databank.resource", slug=item.slug)))


@bp.post("/lists/<id:list_id>/remove")
@login_required
def remove_from_list(list_id: int):
    target = _own_list(list_id)
    resource_id = int_form("resource_id")
    if resource_id is not None:
        services.remove_from_list(db.session, target, resource_id)
        db.session.commit()
        flash(_("Removed from the list."), "success")
    return redirect(url_for("lms.databank.show_list", list_id=target.id))


@bp.post("/lists/<id:list_id>/share")
@login_required
def share_list(list_id: int):
    target = _own_list(list_id)
    services.set_shared(db.session, target, request.form.get("shared") == "1")
    db.session.commit()
    flash(
        _("Colleagues of your organisation can now open this list with its link.")
        if target.shared
        else _("Only you can open this list now."),
        "success",
    )
    return redirect(url_for("lms.databank.show_list", list_id=target.id))


@bp.post("/lists/<id:list_id>/delete")
@login_required
def delete_list(list_id: int):
    services.delete_list(db.session, _own_list(list_id))
    db.session.commit()
    flash(_("The list is deleted."), "success")
    return redirect(url_for("lms.databank.lists"))


# -- proposals ----------------------------------------------------------------------------------


def _form_data(form: ProposalForm | ReviewForm, language: str, organisation: str) -> dict:
    return {
        "title": {language: form.title.data.strip()},
        "description": {language: form.description.data.strip()},
        "organisation": organisation[:120],
        "type": form.type.data,
        "target_groups": form.target_groups.data,
        "languages": form.languages.data,
        "themes": form.themes.data,
        "keywords": {},
        "url": (form.url.data or "").strip() or None,
        "licence": (form.licence.data or "").strip(),
    }


def _duplicate_message(existing: Resource | None) -> str:
    if existing is not None and existing.published:
        return _("This link is already in the databank.")
    return _("Someone already proposed this link. It is waiting for review.")


def _max_upload() -> tuple[int, str]:
    """The upload limit in bytes, and in megabytes as the form shows it."""
    megabytes = float(current_app.config["LMS_DATABANK_MAX_UPLOAD_MB"])
    shown = f"{megabytes:g}"
    return int(megabytes * 1024 * 1024), shown


def _upload_error(reason: str, shown_mb: str) -> str:
    if reason == "size":
        return _("The file is too big. It can be at most %(mb)s MB.", mb=shown_mb)
    if reason == "empty":
        return _("The file is empty.")
    return _(
        "This file type is not allowed, or the file is not what its name says. Upload a PDF, "
        "PNG, JPEG, Word, Excel, PowerPoint or OpenDocument file."
    )


@bp.before_app_request
def _limit_upload_size() -> None:
    """A proposal's body far beyond the upload limit is refused before it is read (before the
    CSRF check reads the form); the text fields and multipart overhead fit in 256 kB more."""
    if request.endpoint == "lms.databank.propose" and request.method == "POST":
        request.max_content_length = _max_upload()[0] + 256 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    form = ProposalForm(formdata=None)
    shown_mb = _max_upload()[1]
    form.file.errors = [_upload_error("size", shown_mb)]
    return render_template(
        "lms/databank/propose.html", form=form, duplicate=None, max_mb=shown_mb
    ), 413


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose():
    max_bytes, shown_mb = _max_upload()
    if request.method == "POST":  # every attempt counts, per person (429 when spent)
        limiter = current_app.extensions["lms"].limiter
        with limiter.shared_limit(
            lambda: current_app.config["LMS_DATABANK_PROPOSAL_RATE_LIMIT"],
            scope="databank-proposal",
            key_func=lambda: str(current_user.id),
        ):
            pass
    form = ProposalForm()
    duplicate: Resource | None = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        has_file = upload is not None and bool(upload.filename)
        stored = None
        if not form.url.data and not has_file:
            form.url.errors.append(_("Give a link, or upload a file."))
        elif form.url.data and has_file:
            form.url.errors.append(_("Give a link or a file, not both."))
        elif upload is not None and has_file:
            try:
                data, extension, name = check_upload(
                    upload.filename or "", upload.stream, max_bytes
                )
            except UploadRefused as refused:
                form.file.errors = [_upload_error(refused.reason, shown_mb)]
            else:
                folder = Path(current_app.extensions["lms"].instance_path) / "databank"
                stored = store_upload(folder, data, extension, name)
        if not form.url.errors and not form.file.errors:
            organisation = current_user.organisation
            credit = organisation.name if organisation is not None else current_user.full_name
            try:
                services.propose(
                    db.session,
                    current_user,
                    _form_data(form, current_language(), credit),
                    stored,
                )
            except services.DuplicateUrl as exc:
                duplicate = exc.existing
                form.url.errors.append(_duplicate_message(duplicate))
            else:
                db.session.commit()
                flash(
                    _(
                        "Thank you! A trainer looks at your proposal. You get an e-mail when "
                        "it is done."
                    ),
                    "success",
                )
                return redirect(url_for("lms.databank.my_proposals"))
        if stored is not None:  # refused after all: do not keep the file
            (Path(current_app.extensions["lms"].instance_path) / "databank" / stored.stored).unlink(
                missing_ok=True
            )
    status = 400 if (form.errors or form.url.errors or form.file.errors) else 200
    return render_template(
        "lms/databank/propose.html", form=form, duplicate=duplicate, max_mb=shown_mb
    ), status


@bp.get("/my-proposals")
@login_required
def my_proposals():
    return render_template(
        "lms/databank/my_proposals.html",
        items=queries.proposals_of(db.session, current_user.id),
        language=current_language(),
    )


# -- review (trainers) --------------------------------------------------------------------------


@bp.get("/review")
@role_required("trainer")
def review():
    return render_template(
        "lms/databank/review.html",
        items=queries.review_queue(db.session),
        language=current_language(),
        value_label=page_labels(),
    )


def _pending_or_404(resource_id: int) -> Resource:
    item = db.session.get(Resource, resource_id)
    if item is None or item.status != "pending":
        abort(404)
    return item


@bp.route("/review/<id:resource_id>", methods=["GET", "POST"])
@role_required("trainer")
def review_item(resource_id: int):
    from lms.accounts.models import User

    item = _pending_or_404(resource_id)
    language = current_language()
    form = ReviewForm(
        data=None
        if request.method == "POST"
        else {
            "title": services.localised(item.title, language),
            "description": services.localised(item.description, language),
            "type": item.type,
            "target_groups": item.target_groups,
            "languages": item.languages,
            "themes": item.themes,
            "url": item.url,
            "licence": item.licence,
        }
    )
    reject_form = RejectForm(prefix="reject")
    action = request.form.get("action")
    if request.method == "POST" and action == "reject":
        if reject_form.validate():
            stored = services.reject(db.session, item, current_user, reject_form.reason.data)
            db.session.commit()
            if stored:
                (Path(current_app.extensions["lms"].instance_path) / "databank" / stored).unlink(
                    missing_ok=True
                )
            flash(_("The proposal is rejected. We sent an e-mail with your reason."), "success")
            return redirect(url_for("lms.databank.review"))
    elif request.method == "POST" and action == "approve":
        if form.validate():
            text_lang = next(iter(item.title), language)
            data = _form_data(form, text_lang, item.organisation_name)
            data["keywords"] = item.keywords
            if item.url is None and not data["url"]:
                data["url"] = None
            try:
                services.update_proposal(db.session, item, data)
            except services.DuplicateUrl as exc:
                form.url.errors.append(_duplicate_message(exc.existing))
            else:
                services.approve(db.session, item, current_user)
                db.session.commit()
                flash(_("The proposal is approved and now in the databank."), "success")
                return redirect(url_for("lms.databank.review"))
    elif request.method == "POST":
        abort(400)
    proposer = db.session.get(User, item.added_by_id) if item.added_by_id else None
    status = 400 if (form.errors or reject_form.errors) else 200
    return render_template(
        "lms/databank/review_item.html",
        item=item,
        form=form,
        reject_form=reject_form,
        proposer=proposer,
        language=language,
    ), status
