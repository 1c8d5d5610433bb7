"""The forum pages: the thread list of a forum, a thread, posting, moderation, reports."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.catalog.queries import get_course_def
from lms.core.auth import role_required
from lms.core.db import db, writes
from lms.core.i18n import current_language
from lms.core.i18n import gettext as _
from lms.core.params import int_arg, page_arg
from lms.forums import queries, services
from lms.forums.access import ForumAccess, forum_access, required_posts
from lms.forums.digest import read_unfollow_token
from lms.forums.forms import EditPostForm, PostForm, ReportForm, ThreadForm
from lms.forums.models import ForumPost, ForumReport, ForumThread
from lms.learning.engine import register_progress_provider
from lms.learning.queries import enrolment_view
from lms.learning.rendering import render_markdown
from lms.learning.views import course_language, register_activity_page
from lms.live.dates import local_datetime

bp = Blueprint("forums", __name__, template_folder="templates")

# The extension imports every feature's views at start-up: forums then report their
# progress to the completion engine, and the course page links forum activities here.
register_progress_provider("forum", queries.forum_progress)
register_activity_page("forum", "lms.forums.forum")

ERRORS = {
    "empty": lambda: _("Write your message."),
    "too-long": lambda: _("Your message is too long."),
    "no-title": lambda: _("Enter a title."),
    "title-too-long": lambda: _("Keep the title under 200 characters."),
    "read-only": lambda: _("You can read this forum, but not write in it."),
    "locked": lambda: _("This thread is closed: nobody can reply any more."),
    "not-editable": lambda: _("You can no longer change this post."),
    "not-yours": lambda: _("You can only delete your own posts."),
    "not-moderator": lambda: _("Only trainers can do this."),
}


@bp.context_processor
def _helpers() -> dict:
    lang = current_language()
    return {
        "render_markdown": render_markdown,
        "when": lambda value: local_datetime(value, lang),
    }


def _access(slug: str, activity_id: str) -> ForumAccess:
    course = get_course_def(db.session, slug)
    if course is None:
        abort(404)
    activity = course.activities_by_id.get(activity_id)
    if activity is None or activity.type != "forum":
        abort(404)
    access = forum_access(db.session, current_user, course, activity)
    if access is None:
        abort(403)
    return access


def _thread(access: ForumAccess, thread_id: int) -> ForumThread:
    thread = queries.get_thread(db.session, access, thread_id)
    if thread is None:
        abort(404)
    return thread


def _post(access: ForumAccess, post_id: int) -> ForumPost:
    post = queries.get_post(db.session, access, post_id)
    if post is None:
        abort(404)
    return post


def _per_page(key: str) -> int:
    return int(current_app.config[key])


def _edit_minutes() -> int:
    return int(current_app.config["LMS_FORUM_EDIT_MINUTES"])


def _render_forum(access: ForumAccess, form: ThreadForm, status: int = 200):
    page = queries.thread_page(
        db.session,
        access,
        page_arg(),
        _per_page("LMS_FORUM_THREADS_PER_PAGE"),
    )
    view = enrolment_view(db.session, current_user.id, access.course)
    return render_template(
        "lms/forums/forum.html",
        access=access,
        course=access.course,
        activity=access.activity,
        module=access.course.modules_by_id[access.activity.module_id],
        lang=course_language(access.course),
        view=view,
        page=page,
        form=form,
        required=required_posts(access.activity),
    ), status


@bp.get("/courses/<slug>/forums/<activity_id>")
@login_required
def forum(slug: str, activity_id: str):
    access = _access(slug, activity_id)
    if access.can_post and required_posts(access.activity) <= 0:
        services.complete_without_posts(db.session, access)
        db.session.commit()
    return _render_forum(access, ThreadForm(formdata=None))


@bp.post("/courses/<slug>/forums/<activity_id>/threads")
@login_required
def start_thread(slug: str, activity_id: str):
    access = _access(slug, activity_id)
    if not access.can_post:
        abort(403)
    form = ThreadForm()
    if not form.validate():
        return _render_forum(access, form, 422)
    try:
        thread = services.start_thread(db.session, access, form.title.data, form.body.data)
    except services.ForumError as exc:
        form.body.errors = [*form.body.errors, ERRORS[str(exc)]()]
        return _render_forum(access, form, 422)
    db.session.commit()
    flash(
        _("Your message is posted. You follow this thread: replies come in your e-mail."), "success"
    )
    return redirect(url_for(".thread", slug=slug, activity_id=activity_id, thread_id=thread.id))


def _render_thread(access: ForumAccess, thread: ForumThread, form: PostForm, status: int = 200):
    per_page = _per_page("LMS_FORUM_POSTS_PER_PAGE")
    requested = int_arg("page")
    if requested is None:  # open a thread where the reader left it: its newest page
        requested = 10**6
    page = queries.post_page(db.session, access, thread, requested, per_page)
    last_read = queries.read_marker(db.session, current_user.id, thread.id)
    if page.items:
        services.mark_read(db.session, current_user, thread, page.items[-1].id)
        db.session.commit()
    now_edit = _edit_minutes()
    return render_template(
        "lms/forums/thread.html",
        access=access,
        course=access.course,
        activity=access.activity,
        module=access.course.modules_by_id[access.activity.module_id],
        lang=course_language(access.course),
        thread=thread,
        page=page,
        last_read=last_read,
        following=queries.is_following(db.session, current_user.id, thread.id),
        form=form,
        can_edit=lambda post: services.can_edit(post, current_user, access, now_edit),
        can_delete=lambda post: services.can_delete(post, current_user),
    ), status


@bp.get("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>")
@writes
@login_required
def thread(slug: str, activity_id: str, thread_id: int):
    access = _access(slug, activity_id)
    return _render_thread(access, _thread(access, thread_id), PostForm(formdata=None))


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/reply")
@login_required
def reply(slug: str, activity_id: str, thread_id: int):
    access = _access(slug, activity_id)
    thread = _thread(access, thread_id)
    if not access.can_post:
        abort(403)
    form = PostForm()
    if not form.validate():
        return _render_thread(access, thread, form, 422)
    try:
        post = services.reply(db.session, access, thread, form.body.data)
    except services.ForumError as exc:
        form.body.errors = [*form.body.errors, ERRORS[str(exc)]()]
        return _render_thread(access, thread, form, 422)
    db.session.commit()
    flash(_("Your reply is posted."), "success")
    return redirect(
        url_for(
            ".thread",
            slug=slug,
            activity_id=activity_id,
            thread_id=thread.id,
            _anchor=f"post-{post.id}",
        )
    )


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/follow")
@login_required
def follow(slug: str, activity_id: str, thread_id: int):
    access = _access(slug, activity_id)
    thread = _thread(access, thread_id)
    if request.form.get("follow") == "1":
        services.follow(db.session, current_user, thread)
        flash(_("You follow this thread: new replies come in your e-mail."), "success")
    else:
        services.unfollow(db.session, current_user.id, thread.id)
        flash(_("You no longer follow this thread."), "success")
    db.session.commit()
    return redirect(url_for(".thread", slug=slug, activity_id=activity_id, thread_id=thread.id))


THREAD_ACTIONS = {
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "lock": ("locked", True),
    "unlock": ("locked", False),
}


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/moderate")
@login_required
def moderate_thread(slug: str, activity_id: str, thread_id: int):
    access = _access(slug, activity_id)
    thread = _thread(access, thread_id)
    if not access.can_moderate:
        abort(403)
    action = THREAD_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    services.set_thread_flag(db.session, access, thread, *action)
    db.session.commit()
    flash(_("The thread is changed."), "success")
    return redirect(url_for(".thread", slug=slug, activity_id=activity_id, thread_id=thread.id))


def _back_to(access: ForumAccess, post: ForumPost):
    return redirect(
        url_for(
            ".thread",
            slug=access.course.slug,
            activity_id=access.activity.id,
            thread_id=post.thread_id,
            _anchor=f"post-{post.id}",
        )
    )


def _post_page(template: str, access, post, **context):
    """A page about one post (edit, delete, report), in the forum's course language."""
    return render_template(
        f"lms/forums/{template}.html",
        access=access,
        course=access.course,
        activity=access.activity,
        lang=course_language(access.course),
        post=post,
        **context,
    )


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(slug: str, activity_id: str, post_id: int):
    access = _access(slug, activity_id)
    post = _post(access, post_id)
    if not services.can_edit(post, current_user, access, _edit_minutes()):
        abort(403)
    form = EditPostForm(data={"body": post.body_source} if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        try:
            services.edit_post(
                db.session, access, post, form.body.data, edit_minutes=_edit_minutes()
            )
        except services.ForumError as exc:
            form.body.errors = [*form.body.errors, ERRORS[str(exc)]()]
        else:
            db.session.commit()
            flash(_("Your post is changed."), "success")
            return _back_to(access, post)
    return _post_page("edit_post", access, post, form=form), 422 if form.errors else 200


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(slug: str, activity_id: str, post_id: int):
    access = _access(slug, activity_id)
    post = _post(access, post_id)
    if not services.can_delete(post, current_user):
        abort(403)
    if request.method == "POST":
        services.delete_post(db.session, access, post)
        db.session.commit()
        flash(_("Your post is deleted."), "success")
        return _back_to(access, post)
    return _post_page("delete_post", access, post)


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(slug: str, activity_id: str, post_id: int):
    access = _access(slug, activity_id)
    post = _post(access, post_id)
    if not post.visible:
        abort(404)
    form = ReportForm()
    if request.method == "POST" and form.validate():
        services.report_post(db.session, current_user, post, form.reason.data or "")
        db.session.commit()
        flash(_("Thank you. The trainers will look at this post."), "success")
        return _back_to(access, post)
    return _post_page("report_post", access, post, form=form), 422 if form.errors else 200


@bp.post("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/moderate")
@login_required
def moderate_post(slug: str, activity_id: str, post_id: int):
    access = _access(slug, activity_id)
    post = _post(access, post_id)
    if not access.can_moderate:
        abort(403)
    action = request.form.get("action")
    if action not in ("hide", "restore"):
        abort(400)
    services.set_hidden(db.session, access, post, action == "hide")
    db.session.commit()
    if action == "hide":
        flash(_("The post is hidden. Only trainers see it now."), "success")
    else:
        flash(_("The post is shown again."), "success")
    return _back_to(access, post)


# Trainers: reported posts --------------------------------------------------------------------


@bp.get("/forums/reports")
@role_required("trainer")
def reports():
    rows = queries.open_reports(db.session)
    return render_template("lms/forums/reports.html", rows=rows)


@bp.post("/forums/reports/<id:report_id>/resolve")
@role_required("trainer")
def resolve_report(report_id: int):
    report = db.session.get(ForumReport, report_id)
    if report is None:
        abort(404)
    services.resolve_report(db.session, current_user, report)
    db.session.commit()
    flash(_("The report is closed."), "success")
    return redirect(url_for(".reports"))


# Stop following, from the link in a digest (no login needed) ---------------------------------


@bp.route("/forums/unfollow/<token>", methods=["GET", "POST"])
def unfollow(token: str):
    found = read_unfollow_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    user_id, thread_id = found
    thread = db.session.get(ForumThread, thread_id)
    if thread is None:
        abort(404)
    done = False
    if request.method == "POST":
        services.unfollow(db.session, user_id, thread_id)
        db.session.commit()
        done = True
    return render_template("lms/forums/unfollow.html", thread=thread, done=done)
