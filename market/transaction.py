"""One transaction per request, at the edge (Indico's request handler).

Operations flush and never commit. The request commits once, after the view has answered, if the answer is not
an error; an error answer (4xx/5xx) rolls everything back, so an order with its lines, its stock and its audit
entries is all or nothing. Work queued with `market.after_commit` runs only after that commit.

A `RuleError` raised by an operation during a page request is answered by `rule_error_page`, the handler every
page blueprint registers: the change is rolled back, the message is shown at the top of the page and next to
the field it names, and the browser is sent back to the form with what was typed kept (`kept_input`, read by
`market.forms.BaseForm`). The API's blueprint answers the same error with a problem+json instead.

The one exception: a payment step that must store its idempotency key before calling the provider commits
itself first, and says so where it does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy.exc import DBAPIError

from market.extensions import db
from market.problems import unavailable_problem
from market.rules import RuleError
from market.security import safe_next

#: The session key holding what a refused form carried, for the page the browser is sent back to.
KEPT_INPUT = "kept_input"
#: Past this size (the signed session cookie, base64 of compressed JSON) the typed input is not kept: browsers
#: drop cookies over 4 KB, which would sign the person out. The message is still shown.
_MAX_COOKIE = 3600
#: Form fields never kept: the CSRF token is issued anew, files cannot be carried, passwords are never stored.
_NOT_KEPT = ("csrf_token", "password", "password_again", "new_password", "current_password", "confirm")


class PageBlueprint(Blueprint):
    """The blueprint of a feature's pages: a rule's error raised in any of its views is answered once, by
    `rule_error_page` (the API's blueprint answers it as problem+json instead)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_error_handler(RuleError, rule_error_page)


def commit_or_roll_back(response):
    """End the request's transaction: commit an answer that is not an error, roll back one that is.

    Registered last, so it runs before the hooks that send what was queued after the commit. When the database
    is lost at this point nothing was saved, so the answer becomes 503 (problem+json under /api/)."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except DBAPIError:
        current_app.logger.warning("database lost while committing the request")
        try:
            db.session.rollback()
        except DBAPIError:
            pass
        return unavailable_response()
    return response


def unavailable_response():
    """503 for a database out of reach: a problem under /api/, the page otherwise."""
    if request.path.startswith("/api/"):
        return unavailable_problem()
    response = current_app.make_response((render_template("unavailable.html"), 503))
    response.headers["Retry-After"] = "5"
    return response


def return_to(url: str) -> None:
    """Where a refused request sends the browser back to, when it is not the page the form was posted from."""
    g.return_to = url


def rule_error_page(error: RuleError):
    """A rule refused the request: nothing of it is kept, the person sees why, and returns to the form."""
    db.session.rollback()
    flash(error.message, "error")
    target = _back_url()
    _keep_input(target, error)
    return redirect(target)


def _back_url() -> str:
    # Only the referrer's path is taken (browsers send it for this site only: Referrer-Policy same-origin), so
    # a forged header can at most send the browser to another page of this site.
    referrer = urlsplit(request.referrer or "")
    back = safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "")
    # A confirmation page lives at its action's own URL (`market.confirm`): a refused confirmation goes back to it.
    if back and request.method == "POST" and urlsplit(back).path == request.path:
        return back
    if g.get("return_to"):
        return g.return_to
    if back and back != request.full_path.rstrip("?"):
        return back
    # A refused form goes back to its own page; a refused GET never to itself (that would loop).
    if request.method != "GET" and request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.full_path.rstrip("?")
    return url_for("home.index")


def _keep_input(target: str, error: RuleError) -> None:
    form_name = g.get("submitted_form")
    if not form_name:
        return
    kept = {"path": urlsplit(target).path, "form": form_name, "field": error.field, "message": error.message,
            "data": [[key, value] for key, value in request.form.items(multi=True) if key not in _NOT_KEPT]}
    session[KEPT_INPUT] = kept
    if _session_size() > _MAX_COOKIE:
        kept["data"] = []
        session[KEPT_INPUT] = kept


def _session_size() -> int:
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    return len(serializer.dumps(dict(session))) if serializer is not None else 0


def take_kept_input(form_name: str) -> dict | None:
    """What a refused form of this kind carried, if the browser was sent back to this page; taken once."""
    kept = session.get(KEPT_INPUT)
    if request.method != "GET" or not kept or kept.get("form") != form_name or kept.get("path") != request.path:
        return None
    return session.pop(KEPT_INPUT)
