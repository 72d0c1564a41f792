"""The message centre: the list, opening one (marks it read, goes to its object), marking all read."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from market.notifications import bp, operations, queries
from market.numbers import query_int


@bp.app_context_processor
def unread_messages():
    """The unread count for the header (read once per page, and only when the header shows it)."""

    def count() -> int:
        if "unread_messages" not in g:
            g.unread_messages = queries.unread_count(current_user) if current_user.is_authenticated else 0
        return g.unread_messages

    return {"unread_messages": count}


@bp.route("/")
@login_required
def index():
    pagination = queries.messages_for(current_user, page=query_int("page", 1), per_page=30)
    messages = [queries.shown(n) for n in pagination.items]
    return render_template("notifications/index.html", pagination=pagination, messages=messages)


@bp.route("/<int:notification_id>")
@login_required
def open_message(notification_id: int):
    """Opening a message marks it read and goes where it leads (the list when it leads nowhere)."""
    notification = queries.own_message(current_user, notification_id)
    if notification is None:
        abort(404)
    operations.mark_read(current_user, notification)
    return redirect(queries.link_of(notification) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    operations.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
