"""Conditional GET: pages answer If-None-Match with 304 when nothing they show has changed."""

from __future__ import annotations

import hashlib

from flask import Response, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from market.i18n import current_locale


def page_etag(*parts) -> str:
    """An ETag for a page: what it shows (`parts`) plus who sees it, in which language, with which CSRF token
    (the page embeds it)."""
    who = current_user.get_id() if current_user.is_authenticated else "-"
    generate_csrf()  # make the session's token now, so the first and second visit share an ETag
    material = "|".join(str(p) for p in (*parts, who, current_locale(), session.get("csrf_token", "-"),
                                         request.query_string.decode()))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def not_modified(etag: str) -> Response | None:
    """A 304 response if the client already has this version (and no message waits to be shown)."""
    if "_flashes" in session:
        return None
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return None


def with_etag(body, etag: str) -> Response:
    response = make_response(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


