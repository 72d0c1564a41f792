"""Conditional GET (pages answer If-None-Match with 304 when nothing they show has changed), rendered parts of
pages shared between visitors, and visitors' public pages: the same for every visitor in a language, so they set
no cookie, may be kept by a shared proxy for a few seconds, and are kept whole in the cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, make_response, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
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


def go_to(url: str) -> Response:
    """The answer to a form that worked: a redirect to `url`, or, for a page's script that sent the form itself
    and asks for JSON (the survey upload's progress bar), `{"location": url}`. The script then loads the page
    itself: had its own request followed the redirect, it would have taken the page's message (the flash) and
    the person would never see it."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(location=url)
    return redirect(url)


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


# --- visitors' public pages ---------------------------------------------------------------------------------

#: How long a shared proxy (and a browser) may keep a visitor's page without asking again: a visitor may see stock
#: a few seconds old; placing an order always checks today's stock.
PUBLIC_MAX_AGE = 5


def is_visitor() -> bool:
    """Someone not signed in who has chosen no language and has no message waiting: every such visitor asking
    in the same language sees the same page, so it is shared (public, cached whole, no cookie)."""
    return not current_user.is_authenticated and "locale" not in session and "_flashes" not in session


def recent() -> int:
    """The current slot of PUBLIC_MAX_AGE seconds: the version of a visitor's page whose content has no cheaper
    version (totals over orders and pledges), so it is rendered again at most once per slot."""
    return int(time.time() // PUBLIC_MAX_AGE)


def _public(response: Response, etag: str, age: int = 0) -> Response:
    """Headers of a visitor's page that is `age` whole seconds old already (kept in memory, `from_memory`)."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE - age}"
    # nginx counts a cached page's life in whole seconds from when it stored it, so max-age=5 can last almost 6:
    # it keeps the page one second less (nginx reads this header in place of Cache-Control and never passes it
    # on), so a change reaches visitors within PUBLIC_MAX_AGE.
    response.headers["X-Accel-Expires"] = str(PUBLIC_MAX_AGE - 1 - age)
    response.headers["Vary"] = "Accept-Language"
    return response


# Each process also keeps the visitors' pages it answered for PUBLIC_PAGE_MEMORY_SECONDS, and answers them again
# before anything else runs: no database, no Redis, no session. Bounded in number; the oldest goes first.
MEMORY_PAGES = 256
_memory: dict[tuple, tuple[float, str, bytes]] = {}
_memory_lock = threading.Lock()


def _memory_key() -> tuple:
    return request.path, request.query_string, current_locale()


def _may_use_memory() -> bool:
    """A cookie-less, token-less GET that chooses no language: a visitor's, whoever sends it."""
    return (current_app.config["PUBLIC_PAGE_MEMORY_SECONDS"] > 0 and request.method in ("GET", "HEAD")
            and not request.cookies and "Authorization" not in request.headers and "lang" not in request.args)


def _remember(etag: str, body: bytes) -> None:
    if not _may_use_memory():
        return
    expires = time.monotonic() + current_app.config["PUBLIC_PAGE_MEMORY_SECONDS"]
    with _memory_lock:
        while len(_memory) >= MEMORY_PAGES:
            _memory.pop(next(iter(_memory)))
        _memory[_memory_key()] = (expires, etag, body)


def from_memory() -> Response | None:
    """The app's first before-request hook: a visitor's page this process answered less than
    PUBLIC_PAGE_MEMORY_SECONDS ago, answered again as it was; it says it is that much older (max-age)."""
    if not _may_use_memory():
        return None
    entry = _memory.get(_memory_key())
    if entry is None or entry[0] <= time.monotonic():
        return None
    _expires, etag, body = entry
    age = -int(-current_app.config["PUBLIC_PAGE_MEMORY_SECONDS"] // 1)  # whole seconds, rounded up
    response = Response(status=304) if request.if_none_match.contains(etag) else make_response(body)
    return _public(response, etag, age)


def public_page(parts: tuple, render: Callable[[], str]) -> Response:
    """A visitor's page: its ETag and cache key come from `parts` (which must include a version of everything
    the page shows), the path, the query and the language, never from who asks. Served from the cache without
    rendering when another visitor asked for it already; the cache is a speed-up only (`_cached`)."""
    material = "|".join(str(p) for p in (*parts, request.path, request.query_string.decode(), current_locale()))
    digest = hashlib.sha256(material.encode()).hexdigest()
    etag = digest[:32]
    if request.if_none_match.contains(etag):
        return _public(Response(status=304), etag)
    key = f"page:{digest}"
    body = _cached(cache.get, key)
    if body is None:
        body = render()
        _cached(cache.set, key, body)
    _remember(etag, body)
    return _public(make_response(body), etag)


def shared_page(parts: tuple, render: Callable[[], str]) -> Response:
    """A page anyone may see: public and cached whole for a visitor (`public_page`), private with a conditional
    GET of its own for anyone else (`page_etag`)."""
    if is_visitor():
        return public_page(parts, render)
    etag = page_etag(*parts)
    if (cached := not_modified(etag)) is not None:
        return cached
    return with_etag(render(), etag)


def language_url(code: str) -> str:
    """This page in another language: a plain link (`?lang=`), so a visitor's page needs no form and no CSRF
    token. A page answering a POST links to home instead."""
    if request.method != "GET":
        return url_for("home.index", lang=code)
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.script_root}{request.path}?{urlencode([*args, ('lang', code)])}"


def forget_cached_pages() -> None:
    """Someone signed in or out or chose a language: the pages their browser kept as a visitor's (public, for a
    few seconds) are not theirs any more, so this answer asks the browser to drop its cache of the site
    (`Clear-Site-Data`), or the page they come back to could be the visitor's one."""
    g.forget_cached_pages = True


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except for a public page: it does not vary by Cookie (only by
    Accept-Language), and it never carries a cookie; should anything have written to the session while making
    it, the page is made private instead, so no shared cache keeps one person's cookie."""

    def save_session(self, app, session, response) -> None:
        public = response.cache_control.public
        if g.get("forget_cached_pages"):
            response.headers["Clear-Site-Data"] = '"cache"'
        super().save_session(app, session, response)
        if not public:
            return
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        else:
            response.headers["Vary"] = ", ".join(v for v in response.vary if v.lower() != "cookie")
