"""The managers' pages of a unit's staff: the list, adding one, importing a list, deactivating and reactivating.
The invitation link, the join page and the decisions on requests are in `invitation_views`."""

from __future__ import annotations

import base64
from functools import wraps

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import ConfirmForm
from market.numbers import query_int
from market.permissions import Action, authorize, kind_required
from market.staff import bp, importing, operations, queries, spreadsheet
from market.staff.forms import ImportForm, StaffForm
from market.staff.invitations import live_invitation
from market.staff.permissions import manages_staff


def manager_required(view):
    """Buyers' and firms' managers only, for their own unit (other people of the unit get 403)."""

    @kind_required(OrgKind.BUYER, OrgKind.FIRM)
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not manages_staff(current_user, current_user.organisation_id):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _private(html: str, status: int = 200) -> Response:
    """A page showing passwords: never kept by the browser or a proxy."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@manager_required
def index():
    org = current_user.organisation
    return render_template("staff/index.html", org=org, pagination=queries.staff_page(org, query_int("page", 1)),
                           requests=queries.pending_requests(org), invitation=live_invitation(org),
                           confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def new():
    form = StaffForm()
    if form.validate_on_submit():
        added = operations.add_staff_member(current_user.organisation, form.fields())
        return _private(render_template("staff/added.html", added=[added]))
    return render_template("staff/new.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@manager_required
def import_list():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("staff/import.html", form=form, max_rows=spreadsheet.MAX_ROWS), (
            200 if request.method == "GET" else 422)
    outcome = importing.import_list(current_user.organisation, form.file.data.read())
    if outcome.error or outcome.problems:
        return render_template("staff/import.html", form=form, outcome=outcome, max_rows=spreadsheet.MAX_ROWS), 422
    csv_file = base64.b64encode(importing.passwords_csv(outcome.added)).decode("ascii")
    return _private(render_template("staff/added.html", added=outcome.added, csv_file=csv_file))


@bp.route("/import-template.xlsx")
@manager_required
def import_template():
    return Response(spreadsheet.template_xlsx(), headers={"Content-Disposition": 'attachment; filename="staff.xlsx"'},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _member(user_id: int):
    """A staff member of the manager's unit, whom the manager may deactivate; 404 for anyone else."""
    return authorize(Action.SUSPEND, queries.staff_member(current_user.organisation, user_id))


@bp.route("/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
@manager_required
def member_status(user_id: int, action: str):
    person = _member(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.set_staff_active(person, action == "reactivate")
    flash(_("%(name)s is deactivated and signed out.", name=person.name) if action == "deactivate"
          else _("%(name)s can sign in again.", name=person.name), "success")
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/deactivate")
@manager_required
def confirm_deactivate(user_id: int):
    person = _member(user_id)
    if not person.active:
        return unavailable(url_for("staff.index"), _("%(name)s is already deactivated.", name=person.name))
    return confirmation_page(Confirmation(
        title=_("Deactivate %(name)s?", name=person.name),
        action=url_for("staff.member_status", user_id=person.id, action="deactivate"), back=url_for("staff.index"),
        button=_("Deactivate"), facts=[(_("Name"), person.name), (_("Email"), person.email),
                                       (_("Department"), person.department or "—")],
        consequences=[_("%(name)s is signed out at once and can no longer sign in.", name=person.name),
                      _("Their sign-ups to purchase rounds stay as they are."),
                      _("You can reactivate them later.")]))


from market.staff import invitation_views  # noqa: E402,F401  (the invitation routes attach to the same blueprint)
