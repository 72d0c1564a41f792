from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts import operations as ops
from market.accounts.forms import ReasonForm
from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.admin import bp
from market.admin import queries
from market.audit import queries as audit_queries
from market.confirm import Confirmation, confirmation_page, unavailable
from market.extensions import db
from market.forms import ConfirmForm
from market.i18n import SHANGHAI
from market.labels import label
from market.numbers import MAX_ID, query_int
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to


@bp.route("/organisations")
@kind_required(OrgKind.CITY_OFFICE, OrgKind.COUNTY_OFFICE, OrgKind.FEDERATION)
def organisations():
    status = request.args.get("status") or None
    kind = request.args.get("kind") or None
    if status not in (None, *OrgStatus) or kind not in (None, *OrgKind):
        abort(400)
    q = (request.args.get("q") or "").strip() or None
    orgs = queries.organisations_for(current_user, status=status, kind=kind, q=q)
    return render_template("admin/organisations.html", orgs=orgs, status=status, kind=kind, q=q,
                           statuses=list(OrgStatus), kinds=list(OrgKind))


@bp.route("/organisations/<int:org_id>")
def organisation(org_id: int):
    org = authorize(Action.VIEW, db.session.get(Organisation, org_id))
    return render_template("admin/organisation.html", org=org, form=ReasonForm(), confirm=ConfirmForm(),
                           open_orders=_open_orders(org))


def _open_orders(org: Organisation) -> list:
    """For the city office, a supplier's orders under way once it is not active (to follow them up)."""
    if current_user.organisation.kind != OrgKind.CITY_OFFICE or org.status == OrgStatus.ACTIVE:
        return []
    return queries.open_orders_of_supplier(org)


#: What each decision on an organisation tells the person who made it.
_DONE = {
    "approve": lambda name: _("%(name)s is approved.", name=name),
    "reject": lambda name: _("%(name)s is rejected.", name=name),
    "suspend": lambda name: _("%(name)s is suspended; its people are signed out.", name=name),
    "reinstate": lambda name: _("%(name)s is active again.", name=name),
}


@bp.route("/organisations/<int:org_id>/<any(approve, reject, suspend, reinstate):action>", methods=["POST"])
def organisation_action(org_id: int, action: str):
    org = db.session.get(Organisation, org_id)
    needed = Action.APPROVE if action in ("approve", "reject") else Action.SUSPEND
    authorize(needed, org)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    return_to(url_for("admin.organisation", org_id=org.id))
    if action in ("approve", "reject"):
        ops.review_organisation(org, current_user, approve=action == "approve", reason=form.reason.data)
    else:
        ops.set_organisation_suspended(org, suspended=action == "suspend", reason=form.reason.data)
    flash(_DONE[action](org.name), "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.route("/organisations/<int:org_id>/<any(reject, suspend):action>")
@login_required
def confirm_organisation_action(org_id: int, action: str):
    """The confirmation page of rejecting a registration or suspending an organisation (it posts to
    `organisation_action`)."""
    org = authorize(Action.APPROVE if action == "reject" else Action.SUSPEND, db.session.get(Organisation, org_id))
    back = url_for("admin.organisation", org_id=org.id)
    if org.status != (OrgStatus.PENDING if action == "reject" else OrgStatus.ACTIVE):
        return unavailable(back)
    reject = action == "reject"
    return confirmation_page(Confirmation(
        title=_("Reject the registration of %(name)s?", name=org.name) if reject
        else _("Suspend %(name)s?", name=org.name),
        action=url_for("admin.organisation_action", org_id=org.id, action=action), back=back,
        button=_("Reject") if reject else _("Suspend"),
        facts=[(_("Organisation"), org.name), (_("Kind"), label(org.kind)), (_("Status"), label(org.status))],
        consequences=_org_consequences(org, reject), form=ReasonForm(), fields=("reason",), hints={"reason": _("Required; shown to the organisation.")}))


def _org_consequences(org: Organisation, reject: bool) -> list[str]:
    if reject:
        return [_("The registration is refused: its people see your reason and nothing else of the market.")]
    texts = [_("Its %(n)s people are signed out; until it is reinstated they see only their organisation's "
               "profile.", n=len(org.members))]
    if org.kind == OrgKind.SUPPLIER:
        texts.append(_("Its products are off sale; its orders under way wait for it."))
    return [*texts, _("The organisation sees your reason.")]


@bp.route("/users")
@kind_required(OrgKind.CITY_OFFICE)
def users():
    q = (request.args.get("q") or "").strip() or None
    pagination = queries.users_for_admin(q, page=query_int("page", 1))
    return render_template("admin/users.html", pagination=pagination, q=q, confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int):
    person = authorize(Action.RESET_PASSWORD, db.session.get(User, user_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    temporary = ops.reset_password(person)
    # Shown once, on this page only; never stored in the cookie, a flash message or a cache.
    response = make_response(render_template("admin/password_reset.html", person=person, temporary=temporary))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the audit log ------------------------------------------------------------------------------------------------


def _day(value: str | None):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/audit/")
@kind_required(OrgKind.CITY_OFFICE)
def audit_log():
    object_type = request.args.get("object_type") or None
    object_id = query_int("object_id", maximum=MAX_ID)
    organisation_id = query_int("organisation", maximum=MAX_ID)
    since_day, until_day = _day(request.args.get("since")), _day(request.args.get("until"))
    # Days are the city's days (Asia/Shanghai), stored times are UTC.
    since = datetime.combine(since_day, time(), SHANGHAI) if since_day else None
    until = datetime.combine(until_day + timedelta(days=1), time(), SHANGHAI) if until_day else None
    pagination = audit_queries.search_entries(object_type=object_type, object_id=object_id, since=since,
                                              until=until, organisation_id=organisation_id,
                                              page=query_int("page", 1))
    filters = {"object_type": object_type, "object_id": object_id, "organisation": organisation_id,
               "since": since_day, "until": until_day}
    return render_template("audit/index.html", pagination=pagination, object_types=audit_queries.object_types(),
                           organisations=queries.organisations_in_audit_log(), filters=filters,
                           filtered=any(value is not None for value in filters.values()))
