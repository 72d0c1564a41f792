"""The person's messages: the list (newest first, with the unread count) and marking one read."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from market.api import bp
from market.api.auth import signed_in
from market.problems import ApiProblem
from market.api.parsing import paging
from market.notifications import operations as notification_ops
from market.notifications import queries as notification_queries


def _json(shown) -> dict:
    return {"id": shown.id, "kind": shown.kind, "text": shown.text, "link": shown.link, "read": shown.read,
            "needs_action": shown.needs_action, "created_at": shown.created_at.isoformat()}


@bp.route("/notifications")
@signed_in
def notifications():
    page, per_page = paging()
    pagination = notification_queries.messages_for(current_user, page=page, per_page=per_page)
    return jsonify(items=[_json(notification_queries.shown(n)) for n in pagination.items],
                   unread=notification_queries.unread_count(current_user), total=pagination.total, page=page,
                   per_page=per_page)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def read_notification(notification_id: int):
    notification = notification_queries.own_message(current_user, notification_id)
    if notification is None:
        raise ApiProblem(404)
    notification_ops.mark_read(current_user, notification)
    return jsonify(_json(notification_queries.shown(notification)))
