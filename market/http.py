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


#: Whether this process found the cache out of reach on its last call: the log says so once per outage.
_cache_down = False


def _cached(call, *args):
    """A cache call that never fails the page: when the cache (Redis) is down or slow it answers None, and the
    log says so once, and again once it is back."""
    global _cache_down
    try:
        result = call(*args)
    except Exception:  # noqa: BLE001  (any error of the cache's client: connection, timeout, protocol)
        if not _cache_down:
            _cache_down = True
            current_app.logger.warning("cache unavailable: pages are rendered without it until it is back",
                                       exc_info=True)
        return None
    if _cache_down:
        _cache_down = False
        current_app.logger.warning("cache reachable again")
    return result


def shared_fragment(name: str, parts: tuple, render: Callable[[], str]) -> Markup:
    """HTML that is the same for every visitor asking with the same `parts` (which must include a version of
    everything it shows), rendered once and kept in the cache. The cache is a speed-up only: when it cannot be
    reached, the fragment is rendered each time."""
    material = "|".join(str(part) for part in (*parts, current_locale(), request.query_string.decode()))
    key = f"{name}:" + hashlib.sha256(material.encode()).hexdigest()
    html = _cached(cache.get, key)
    if html is None:
        html = render()
        _cached(cache.set, key, html)
    return Markup(html)
