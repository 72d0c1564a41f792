"""Who calls, and what they may do. Bearer tokens only: the API never reads the session cookie, so it needs no
CSRF token and a signed-in browser cannot be made to call it. The tokens themselves are market.accounts.tokens."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user

from market.accounts.tokens import user_for_token
from market.api import bp
from market.permissions import Action, Decision, decide, is_staff, may_open, unapproved
from market.problems import ApiProblem


@bp.before_request
def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    user = None
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
        if user is None:
            raise ApiProblem(401, slug="invalid-token")
        refusal = refusal_for(user)
        if refusal is not None:
            raise refusal
    # Replace whatever the session cookie would have loaded: Flask-Login reads g._login_user first.
    g._login_user = user if user is not None else AnonymousUserMixin()


def signed_in(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiProblem(401)
        return view(*args, **kwargs)

    return wrapped


def refusal_for(user) -> ApiProblem | None:
    """Why this person may not use the API here, or None: the same gate as the pages (an organisation that is
    not approved reaches only the public endpoints), and a temporary password must first be changed on the
    pages (every call with a token answers 403 until then, and no token is issued for it)."""
    if not may_open(user, request.endpoint) and is_staff(user) and not unapproved(user):
        return ApiProblem(403, _("Staff members reach their unit's purchase rounds and their own sign-ups only."),
                          slug="staff-only", title=_("Staff member"))
    if not may_open(user, request.endpoint):
        return ApiProblem(403, _("Your organisation awaits approval, was returned or is suspended: until it is "
                                 "approved you see only your own profile and the public catalog."),
                          slug="organisation-not-approved", title=_("Organisation not approved"))
    if user.must_change_password:
        return ApiProblem(403, _("Choose a new password on the website (Account, Change password) before you use "
                                 "the API."),
                          slug="password-change-required", title=_("Password change required"))
    return None


def visible(obj, action: Action = Action.VIEW):
    """The one permission helper, answered the API way: 404 hides, 403 refuses."""
    if obj is None:
        raise ApiProblem(404)
    decision = decide(current_user, action, obj)
    if decision is not Decision.ALLOWED:
        raise ApiProblem(decision.value)
    return obj


def only_for(kinds, message: str):
    """The caller's organisation, if it is of one of these kinds; else 403 with the message."""
    org = current_user.organisation
    if org.kind not in kinds:
        raise ApiProblem(403, message)
    return org
