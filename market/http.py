"""Conditional GET (pages answer If-None-Match with 304 when nothing they show has changed) and rendered parts
of pages shared between visitors."""

from __future__ import annotations

import hashlib

from collections.abc import Callable

from flask import Response, current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from market.extensions import cache
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


def shared_fragment(name: str, parts: tuple, render: Callable[[], str]) -> Markup:
    """HTML that is the same for every visitor asking with the same `parts` (which must include a version of
    everything it shows), rendered once and kept in the cache. The cache is a speed-up only: when it cannot be
    reached, the fragment is rendered each time."""
    material = "|".join(str(part) for part in (*parts, current_locale(), request.query_string.decode()))
    key = f"{name}:" + hashlib.sha256(material.encode()).hexdigest()
    try:
        html = cache.get(key)
    except Exception:
        current_app.logger.warning("cache unavailable", exc_info=True)
        html = None
    if html is None:
        html = render()
        try:
            cache.set(key, html)
        except Exception:
            current_app.logger.warning("cache unavailable", exc_info=True)
    return Markup(html)
