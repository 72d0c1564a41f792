"""The unit's invitation link (managers), the page colleagues open from it (anyone, on a phone), and the managers'
decisions on the requests it brings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import ConfirmForm
from market.permissions import Action, authorize
from market.sharing import page_url
from market.staff import bp, queries
from market.staff import invitations as ops
from market.staff.forms import JoinForm, RefuseForm, RenewForm
from market.staff.models import StaffRequestStatus
from market.staff.views import manager_required


@bp.route("/invitation", methods=["GET", "POST"])
@manager_required
def invitation():
    org = current_user.organisation
    form = RenewForm()
    if form.validate_on_submit():
        ops.renew_invitation(org, current_user, form.current.data)
        flash(_("The new link works now; the old one no longer does."), "success")
        return redirect(url_for("staff.invitation"))
    live = ops.live_invitation(org)
    link = page_url("staff.join", token=ops.token_of(live)) if live else None
    return render_template("staff/invitation.html", org=org, invitation=live, link=link, form=form)


@bp.route("/invitation/revoke", methods=["GET", "POST"])
@manager_required
def revoke_invitation():
    live = ops.live_invitation(current_user.organisation)
    back = url_for("staff.invitation")
    if live is None:
        return unavailable(back, _("There is no link to revoke."))
    authorize(Action.EDIT, live)
    if ConfirmForm().validate_on_submit():
        ops.revoke_invitation(live)
        flash(_("The link no longer works. Make a new one when you need it."), "success")
        return redirect(back)
    return confirmation_page(Confirmation(
        title=_("Revoke the invitation link?"), action=url_for("staff.revoke_invitation"), back=back,
        button=_("Revoke"), consequences=[_("Colleagues who open the link are told it is no longer valid."),
                                          _("Requests already sent stay for you to decide.")]))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """A colleague's page from the invitation link: their details and a password; a manager approves."""
    live = ops.invitation_for_token(token)
    if live is None:
        return render_template("staff/link_invalid.html"), 404
    form = JoinForm()
    if current_user.is_authenticated:
        return render_template("staff/join.html", org=live.organisation, form=None)
    if form.validate_on_submit():
        staff_request = ops.request_to_join(live, form.fields())
        return render_template("staff/join_sent.html", org=live.organisation, staff_request=staff_request)
    return render_template("staff/join.html", org=live.organisation, form=form)


def _request(request_id: int):
    staff_request = authorize(Action.APPROVE, queries.staff_request(request_id))
    back = url_for("staff.index")
    return staff_request, back


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
@manager_required
def approve(request_id: int):
    staff_request, back = _request(request_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = ops.approve_request(staff_request, current_user)
    flash(_("%(name)s is a staff member now and can sign in with the password they chose.", name=user.name),
          "success")
    return redirect(back)


@bp.route("/requests/<int:request_id>/refuse", methods=["GET", "POST"])
@manager_required
def refuse(request_id: int):
    staff_request, back = _request(request_id)
    form = RefuseForm()
    if form.validate_on_submit():
        ops.refuse_request(staff_request, current_user, form.reason.data)
        flash(_("The request of %(name)s is refused.", name=staff_request.name), "success")
        return redirect(back)
    if staff_request.status != StaffRequestStatus.PENDING:
        return unavailable(back, _("This request was already decided."))
    return confirmation_page(Confirmation(
        title=_("Refuse the request of %(name)s?", name=staff_request.name),
        action=url_for("staff.refuse", request_id=staff_request.id), back=back, button=_("Refuse"),
        facts=[(_("Name"), staff_request.name), (_("Email"), staff_request.email),
               (_("Department"), staff_request.department or "—"), (_("Phone"), staff_request.phone or "—")],
        consequences=[_("No account is made; they may ask again through the link.")],
        form=form, fields=("reason",)))
