"""The one place that decides whether a user may see or act on an object.

Every view asks `authorize(action, obj)`. A user who may not even see the object gets 404, so another
organisation's objects are never revealed; one who may see it but not do this gets 403. Feature packages
add rules for their own models with `@rule(Model)`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from market.accounts.models import Organisation, OrgKind, OrgStatus, User


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    APPROVE = "approve"  # approve or reject a registration
    SUSPEND = "suspend"  # suspend or reinstate
    RESET_PASSWORD = "reset_password"
    MANAGE_MEMBERS = "manage_members"
    VIEW_LEDGER = "view_ledger"  # the stock ledger of a product


class Decision(enum.Enum):
    HIDDEN = 404
    FORBIDDEN = 403
    ALLOWED = 200


Rule = Callable[[User, Action, object], Decision]
_RULES: dict[type, Rule] = {}
#: For models some of whose objects anyone may view (published products): model -> predicate.
_PUBLIC: dict[type, Callable[[object], bool]] = {}


def rule(model: type, *, public: Callable[[object], bool] | None = None) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[model] = fn
        if public is not None:
            _PUBLIC[model] = public
        return fn

    return register


def decide(user: User, action: Action, obj) -> Decision:
    if user is None or not user.is_authenticated:
        public = _PUBLIC.get(type(obj))
        return Decision.ALLOWED if action == Action.VIEW and public is not None and public(obj) else Decision.HIDDEN
    for model in type(obj).__mro__:
        if model in _RULES:
            decision = _RULES[model](user, action, obj)
            # People of an organisation not (yet) approved may look at what is theirs but change nothing.
            if decision is Decision.ALLOWED and action != Action.VIEW and user.organisation.status != OrgStatus.ACTIVE:
                return Decision.FORBIDDEN
            return decision
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
    """Pages that only one kind of organisation uses (e.g. the city office's approvals)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            org = current_user.organisation
            if org.kind not in kinds:
                abort(403)
            if active and org.status != OrgStatus.ACTIVE:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


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
    if mine.kind == OrgKind.CITY_OFFICE:
        return Organisation.id.isnot(None)
    clauses = [Organisation.id == mine.id]
    if mine.kind == OrgKind.COUNTY_OFFICE:
        clauses.append(and_(Organisation.kind == OrgKind.SUPPLIER, Organisation.county_id == mine.county_id))
    if mine.kind == OrgKind.FEDERATION:
        clauses.append(Organisation.kind == OrgKind.FIRM)
    return or_(false(), *clauses)
