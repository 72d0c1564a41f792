"""The one place that decides whether a user may see or act on an object.

Every view asks `authorize(action, obj)`. A user who may not even see the object gets 404, so another
organisation's objects are never revealed; one who may see it but not do this gets 403. Feature packages
add rules for their own models with `@rule(Model)`.

People of an organisation that is not approved (pending, rejected or suspended, of any kind) see their own
profile and what an anonymous visitor sees, nothing else: `decide` hides everything else from them, and
`may_open` (the one gate for pages and the API, see `approval_gate` and `market.api.auth`) lets them open only
the endpoints in `OPEN_TO_UNAPPROVED`.

Staff members of a unit (role `staff`, measure 5.3) are kept the same way from everything of their unit but its
purchase rounds: they open only the public endpoints, their own profile and what the features they use register
with `open_to_staff`; `decide` hides from them every object whose model's rule was not registered with
`staff=True` (such a rule then answers for staff itself).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from market.accounts.models import Organisation, OrgKind, OrgStatus, Role, User


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    APPROVE = "approve"  # approve or reject a registration
    SUSPEND = "suspend"  # suspend or reinstate
    RESET_PASSWORD = "reset_password"
    MANAGE_MEMBERS = "manage_members"
    VIEW_LEDGER = "view_ledger"  # the stock ledger of a product
    HAND_OUT = "hand_out"  # record a staff round's money received and goods handed out


class Decision(enum.Enum):
    HIDDEN = 404
    FORBIDDEN = 403
    ALLOWED = 200


Rule = Callable[[User, Action, object], Decision]
_RULES: dict[type, Rule] = {}
#: For models some of whose objects anyone may view (published products): model -> predicate.
_PUBLIC: dict[type, Callable[[object], bool]] = {}
#: Models whose rule decides for staff members too (purchase rounds and sign-ups); others hide from staff.
_STAFF_MODELS: set[type] = set()


def rule(model: type, *, public: Callable[[object], bool] | None = None,
         staff: bool = False) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[model] = fn
        if public is not None:
            _PUBLIC[model] = public
        if staff:
            _STAFF_MODELS.add(model)
        return fn

    return register


#: Endpoints a person of an organisation that is not approved may still open: their own profile, signing in and
#: out, the password, the language, and what anonymous visitors may open anyway (the object rules in `decide`
#: still apply there, so they see no more than a visitor). Anything else answers "awaiting approval".
OPEN_TO_UNAPPROVED = frozenset({
    # own profile (the object rules hide every other organisation's)
    "home.index", "accounts.profile", "accounts.password", "accounts.members", "admin.organisation",
    "accounts.login", "accounts.logout", "accounts.register", "accounts.language", "static",
    # public pages
    "catalog.index", "catalog.all_counties", "catalog.county", "catalog.export", "catalog.product", "catalog.photo",
    "bulletins.archive", "bulletins.county_archive", "bulletins.issue", "bulletins.issue_csv", "bulletins.feed",
    "bulletins.county_feed", "bulletins.csv_format", "reports.honour", "reports.transparency", "payments.webhook",
    # public API
    "api.openapi", "api.docs", "api.create_token", "api.counties", "api.products", "api.product",
})


#: Endpoints a staff member may open beyond the public ones and their own profile: each feature staff use
#: registers its own with `open_to_staff` (purchase rounds, messages).
OPEN_TO_STAFF: set[str] = (set(OPEN_TO_UNAPPROVED) - {"accounts.members", "admin.organisation"}) | {
    "accounts.api_tokens", "accounts.revoke_api_token", "accounts.confirm_revoke_api_token",
    # their own messages (only those addressed to them by name reach staff: market.notifications)
    "notifications.index", "notifications.open_message", "notifications.read_all", "api.notifications",
    "api.read_notification"}


def open_to_staff(*endpoints: str) -> None:
    OPEN_TO_STAFF.update(endpoints)


def is_staff(user) -> bool:
    """A staff member of a unit (not a visitor): sees its purchase rounds and its own sign-ups only."""
    return getattr(user, "role", None) == Role.STAFF


def unapproved(user) -> bool:
    """True for a person (not a visitor) whose organisation is pending, rejected or suspended. Not through
    `is_authenticated`: Flask-Login derives that from `is_active`, which is False for the last two."""
    org = getattr(user, "organisation", None)
    return org is not None and org.status != OrgStatus.ACTIVE


def may_open(user, endpoint: str | None) -> bool:
    """Whether the user may open this page or API endpoint at all (object rules are `decide`'s)."""
    if unapproved(user):
        return endpoint in OPEN_TO_UNAPPROVED
    if is_staff(user):
        return endpoint in OPEN_TO_STAFF
    return True


def _decide_anonymous(action: Action, obj) -> Decision:
    public = _PUBLIC.get(type(obj))
    return Decision.ALLOWED if action == Action.VIEW and public is not None and public(obj) else Decision.HIDDEN


def _decide_unapproved(user: User, action: Action, obj) -> Decision:
    """Own organisation and its people to look at, own details to edit; otherwise what a visitor may."""
    own_org = (isinstance(obj, Organisation) and obj.id == user.organisation_id) or (
        isinstance(obj, User) and obj.organisation_id == user.organisation_id)
    if not own_org:
        return _decide_anonymous(action, obj)
    if action == Action.VIEW or (action == Action.EDIT and isinstance(obj, User) and obj.id == user.id):
        return Decision.ALLOWED
    return Decision.FORBIDDEN


def decide(user: User, action: Action, obj) -> Decision:
    if unapproved(user):
        return _decide_unapproved(user, action, obj)
    if user is None or not user.is_authenticated:
        return _decide_anonymous(action, obj)
    if is_staff(user) and type(obj) not in _STAFF_MODELS:
        return _decide_unapproved(user, action, obj)  # own profile; otherwise what a visitor may
    for model in type(obj).__mro__:
        if model in _RULES:
            return _RULES[model](user, action, obj)
    raise LookupError(f"no permission rule for {type(obj).__name__}")


def can(user: User, action: Action, obj) -> bool:
    return decide(user, action, obj) is Decision.ALLOWED


def authorize(action: Action, obj, user: User | None = None):
    """Return `obj` if the (current) user may do `action` on it; abort 404 or 403 otherwise."""
    if obj is None:
        abort(404)
    decision = decide(user or current_user, action, obj)
    if decision is not Decision.ALLOWED:
        abort(decision.value)
    return obj


def kind_required(*kinds: OrgKind, active: bool = True):
    """Pages that only one kind of organisation uses (e.g. the city office's approvals). An organisation that is
    not approved never gets in, whatever `active` says (kept for the callers: it no longer widens anything)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if unapproved(current_user):
                return awaiting_approval_page()
            if current_user.organisation.kind not in kinds:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def awaiting_approval_page():
    """The page an unapproved organisation's people get instead of anything not theirs: their status, a link to
    their profile (403, so nothing caches it as the page asked for)."""
    from flask import render_template

    return render_template("accounts/awaiting_approval.html", org=current_user.organisation), 403


def approval_gate():
    """`before_request` for pages: people of an unapproved organisation open only `OPEN_TO_UNAPPROVED`. The API
    asks `may_open` itself after reading the bearer token (market.api.auth), since its user is not the cookie's."""
    from flask import request

    if request.blueprint == "api" or request.endpoint is None:  # None: no such route, the 404 follows
        return None
    if may_open(current_user, request.endpoint):
        return None
    if is_staff(current_user) and not unapproved(current_user):
        return staff_only_page()
    return awaiting_approval_page()


def staff_only_page():
    """What a staff member gets on a page of the unit's buying: a plain refusal with the way to its rounds
    (403; nothing of the page asked for is read)."""
    from flask import render_template
    from flask_babel import gettext as _

    return render_template("error.html", code=403, message=_(
        "Staff members see their unit's purchase rounds and their own sign-ups; this page is for the unit's "
        "buyers.")), 403


def _is_city(user: User) -> bool:
    return user.organisation.kind == OrgKind.CITY_OFFICE


def _county_office_of(user: User, org: Organisation) -> bool:
    mine = user.organisation
    return mine.kind == OrgKind.COUNTY_OFFICE and org.kind == OrgKind.SUPPLIER and org.county_id == mine.county_id


@rule(Organisation)
def organisation_rule(user: User, action: Action, org: Organisation) -> Decision:
    own = org.id == user.organisation_id
    visible = (
        own
        or _is_city(user)
        or _county_office_of(user, org)
        or (user.organisation.kind == OrgKind.FEDERATION and org.kind == OrgKind.FIRM)
    )
    if not visible:
        return Decision.HIDDEN
    if action == Action.VIEW:
        allowed = True
    elif action == Action.APPROVE:
        # Suppliers are approved by their county office; everyone (suppliers too) by the city office.
        allowed = not own and (
            (_is_city(user) and org.kind != OrgKind.CITY_OFFICE) or _county_office_of(user, org)
        )
    elif action == Action.SUSPEND:
        allowed = _is_city(user) and not own
    elif action in (Action.EDIT, Action.MANAGE_MEMBERS):
        allowed = _is_city(user) or (own and user.is_manager)
    else:
        allowed = False
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN


@rule(User)
def user_rule(user: User, action: Action, person: User) -> Decision:
    own_org = person.organisation_id == user.organisation_id
    # Whoever may see an organisation sees its people (its page lists them); only managers and the city act.
    visible = organisation_rule(user, Action.VIEW, person.organisation) is Decision.ALLOWED
    if not visible:
        return Decision.HIDDEN
    if action == Action.VIEW:
        allowed = True
    elif action == Action.EDIT:
        allowed = person.id == user.id or _is_city(user)
    elif action == Action.RESET_PASSWORD:
        allowed = _is_city(user) and person.id != user.id
    elif action == Action.SUSPEND:
        allowed = person.id != user.id and (_is_city(user) or (own_org and user.is_manager))
    else:
        allowed = False
    return Decision.ALLOWED if allowed else Decision.FORBIDDEN


def visible_organisations_clause(user: User):
    """SQL form of who may see which organisation in `organisation_rule`, for lists; kept beside it on purpose."""
    from sqlalchemy import and_, false, or_

    mine = user.organisation
    if unapproved(user):
        return Organisation.id == mine.id
    if mine.kind == OrgKind.CITY_OFFICE:
        return Organisation.id.isnot(None)
    clauses = [Organisation.id == mine.id]
    if mine.kind == OrgKind.COUNTY_OFFICE:
        clauses.append(and_(Organisation.kind == OrgKind.SUPPLIER, Organisation.county_id == mine.county_id))
    if mine.kind == OrgKind.FEDERATION:
        clauses.append(Organisation.kind == OrgKind.FIRM)
    return or_(false(), *clauses)
