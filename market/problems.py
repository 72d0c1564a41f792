"""Errors as application/problem+json (RFC 9457), titled in the language of Accept-Language."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

PROBLEM_BASE = "/api/v1/problems/"


def titles() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad-request", _("The request could not be understood.")),
        401: ("unauthorized", _("Sign in first: send a valid token as Authorization: Bearer <token>.")),
        403: ("forbidden", _("You are not allowed to do this.")),
        404: ("not-found", _("Not found, or not yours to see.")),
        405: ("method-not-allowed", _("This method is not allowed here.")),
        409: ("conflict", _("This conflicts with the current state.")),
        413: ("too-large", _("The request is too large.")),
        415: ("unsupported-media-type", _("Send JSON (Content-Type: application/json).")),
        422: ("invalid", _("Some input is not valid.")),
        429: ("too-many-requests", _("Too many attempts. Wait a minute and try again.")),
        500: ("server-error", _("Something went wrong on our side. Nothing was saved.")),
    }


class ApiProblem(Exception):
    def __init__(self, status: int, detail: str | None = None, *, slug: str | None = None, title: str | None = None,
                 errors: dict[str, str] | None = None, **extra):
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title
        self.errors = errors
        self.extra = extra


def problem_response(status: int, detail: str | None = None, *, slug: str | None = None, title: str | None = None,
                     errors: dict[str, str] | None = None, **extra):
    default_slug, default_title = titles().get(status, titles()[500] if status >= 500 else titles()[400])
    body = {"type": PROBLEM_BASE + (slug or default_slug), "title": title or default_title, "status": status,
            "detail": detail or title or default_title}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def from_exception(problem: ApiProblem):
    return problem_response(problem.status, problem.detail, slug=problem.slug, title=problem.title,
                            errors=problem.errors, **problem.extra)


def unavailable_problem():
    """503 when the database cannot be reached, with the moment to try again (the app's handler and the API's
    end-of-request commit both answer it)."""
    response = problem_response(503, _("The database cannot be reached right now; try again in a moment."),
                                slug="unavailable", title=_("Temporarily unavailable"))
    response.headers["Retry-After"] = "5"
    return response
