"""The forum pages for readers and writers: the thread list of a forum, a thread, posting,
editing, deleting, reporting, following. Moderation is in ``moderation_views``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.core.db import db, writes
from lms.core.i18n import gettext as _
from lms.core.params import int_arg, page_arg
from lms.forums import (
    moderation_views,  # noqa: F401  (its pages join the blueprint)
    queries,
    services,
)
from lms.forums.access import ForumAccess, required_posts
from lms.forums.blueprint import ERRORS, back_to, bp, get_access, page_context, post_for, thread_for
from lms.forums.digest import read_unfollow_token
from lms.forums.forms import EditPostForm, PostForm, ReportForm, ThreadForm
from lms.forums.models import ForumPost, ForumProgress, ForumThread
from lms.learning.engine import register_progress_provider, register_started_condition
from lms.learning.queries import enrolment_view
from lms.learning.summary import register_source as register_summary_source
from lms.learning.views import register_activity_page

__all__ = ["bp"]

# The extension imports every feature's views at start-up: forums then report their
# progress to the completion engine, and the course page links forum activities here.
register_progress_provider("forum", queries.forum_progress)
register_started_condition("forum", queries.forum_started)
register_summary_source(
    ForumProgress,
    user=ForumProgress.user_id,
    course=ForumProgress.course_id,
    columns=("user_id", "course_id", "activity_id", "posts", "required_posts"),
)
register_activity_page("forum", "lms.forums.forum")


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
    return render_template(
        "lms/forums/forum.html",
        **page_context(access),
        view=enrolment_view(db.session, current_user.id, access.course),
        page=page,
        form=form,
        required=required_posts(access.activity),
    ), status


@bp.get("/courses/<slug>/forums/<activity_id>")
@login_required
def forum(slug: str, activity_id: str):
    access = get_access(slug, activity_id)
    if access.can_post and required_posts(access.activity) <= 0:
        services.complete_without_posts(db.session, access)
        db.session.commit()
    return _render_forum(access, ThreadForm(formdata=None))


@bp.post("/courses/<slug>/forums/<activity_id>/threads")
@login_required
def start_thread(slug: str, activity_id: str):
    access = get_access(slug, activity_id)
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
    requested = int_arg("page")
    if requested is None:  # open a thread where the reader left it: its newest page
        requested = 10**6
    page = queries.post_page(
        db.session, access, thread, requested, _per_page("LMS_FORUM_POSTS_PER_PAGE")
    )
    last_read = queries.read_marker(db.session, current_user.id, thread.id)
    if page.items:
        services.mark_read(db.session, current_user, thread, page.items[-1].id)
        db.session.commit()
    edit_minutes = _edit_minutes()
    return render_template(
        "lms/forums/thread.html",
        **page_context(access),
        thread=thread,
        page=page,
        last_read=last_read,
        following=queries.is_following(db.session, current_user.id, thread.id),
        form=form,
        can_edit=lambda post: services.can_edit(post, current_user, access, edit_minutes),
        can_delete=lambda post: services.can_delete(post, current_user),
    ), status


@bp.get("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>")
@writes
@login_required
def thread(slug: str, activity_id: str, thread_id: int):
    access, thread = thread_for(slug, activity_id, thread_id)
    return _render_thread(access, thread, PostForm(formdata=None))


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/reply")
@login_required
def reply(slug: str, activity_id: str, thread_id: int):
    access, thread = thread_for(slug, activity_id, thread_id, lambda access, _: access.can_post)
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
    return back_to(access, post)


@bp.post("/courses/<slug>/forums/<activity_id>/threads/<id:thread_id>/follow")
@login_required
def follow(slug: str, activity_id: str, thread_id: int):
    _access, thread = thread_for(slug, activity_id, thread_id)
    if request.form.get("follow") == "1":
        services.follow(db.session, current_user, thread)
        flash(_("You follow this thread: new replies come in your e-mail."), "success")
    else:
        services.unfollow(db.session, current_user.id, thread.id)
        flash(_("You no longer follow this thread."), "success")
    db.session.commit()
    return redirect(url_for(".thread", slug=slug, activity_id=activity_id, thread_id=thread.id))


# Pages about one post ---------------------------------------------------------------------


def _post_page(template: str, access: ForumAccess, post: ForumPost, **context):
    """A page about one post (edit, delete, report), in the forum's course language."""
    return render_template(
        f"lms/forums/{template}.html", **page_context(access), post=post, **context
    )


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(slug: str, activity_id: str, post_id: int):
    access, post = post_for(
        slug,
        activity_id,
        post_id,
        lambda access, post: services.can_edit(post, current_user, access, _edit_minutes()),
    )
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
            return back_to(access, post)
    return _post_page("edit_post", access, post, form=form), 422 if form.errors else 200


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(slug: str, activity_id: str, post_id: int):
    access, post = post_for(
        slug, activity_id, post_id, lambda _, post: services.can_delete(post, current_user)
    )
    if request.method == "POST":
        services.delete_post(db.session, access, post)
        db.session.commit()
        flash(_("Your post is deleted."), "success")
        return back_to(access, post)
    return _post_page("delete_post", access, post)


@bp.route("/courses/<slug>/forums/<activity_id>/posts/<id:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(slug: str, activity_id: str, post_id: int):
    access, post = post_for(slug, activity_id, post_id)
    if not post.visible:
        abort(404)
    form = ReportForm()
    if request.method == "POST" and form.validate():
        try:
            services.report_post(
                db.session,
                access,
                post,
                form.reason.data or "",
                reports_url=url_for(".reports", _external=True),
            )
        except services.ForumError as exc:
            db.session.rollback()
            flash(ERRORS[str(exc)](), "error")
            return back_to(access, post)
        db.session.commit()
        flash(_("Thank you. The trainers will look at this post."), "success")
        return back_to(access, post)
    return _post_page("report_post", access, post, form=form), 422 if form.errors else 200


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
