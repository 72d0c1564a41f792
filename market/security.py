"""Security plumbing shared by every blueprint: safe redirects, headers, sign-in rate limits."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from market.extensions import limiter
from market.problems import ApiProblem

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks (no open redirect), and no
    control characters (CR/LF would split the Location header; browsers drop TAB and NUL from URLs)."""
    if not target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def mark_login_failed() -> None:
    """Count this request against the sign-in limits (only failures count)."""
    g.login_failed = True


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return f"account:{email}"


def _address_key() -> str:
    return f"address:{get_remote_address()}"


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def login_rate_limited(view):
    """Failed sign-ins are limited per account and per address; the form and the API share the counters."""
    view = limiter.shared_limit(
        _login_limit, scope="login-address", key_func=_address_key, methods=["POST"], deduct_when=_login_failed
    )(view)
    view = limiter.shared_limit(
        _login_limit, scope="login-account", key_func=_account_key, methods=["POST"], deduct_when=_login_failed
    )(view)
    return view


#: Endpoints with a smaller body limit than MAX_CONTENT_LENGTH: endpoint -> config key.
UPLOAD_LIMITS = {"catalog.add_photo": "PHOTO_MAX_BYTES", "staff.import_list": "STAFF_LIST_MAX_BYTES"}


def apply_upload_limits() -> None:
    """Runs before CSRF checking reads the form, so a too-large photo is refused (413) before it is read."""
    key = UPLOAD_LIMITS.get(request.endpoint or "")
    if key:
        request.max_content_length = current_app.config[key]


def _has_nul(value) -> bool:
    """Whether a NUL character is anywhere in a string, or in the strings of a (nested) JSON value; no recursion,
    so a deeply nested body cannot exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_nul_characters():
    """A NUL character is never text a person typed, and PostgreSQL cannot store one in a text column: refuse it
    in the path, the query, a form or a JSON body before anything reads it (uploaded files are not text). `next`
    is left to `safe_next`, which ignores a target with any control character."""
    from flask import abort
    from flask_babel import gettext as _

    fields = [request.path, *request.args.keys(),
              *(value for key, value in request.args.items(multi=True) if key != "next")]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += [*request.form.keys(), *(value for key, value in request.form.items(multi=True) if key != "next")]
    try:
        body = request.get_json(silent=True) if request.is_json else None
    except RecursionError:
        body = None  # nested past the parser: the view's own reading refuses it
    if not (_has_nul(fields) or _has_nul(body)):
        return None
    if request.path.startswith("/api/"):
        raise ApiProblem(400, _("Text may not contain NUL characters."))
    abort(400)
