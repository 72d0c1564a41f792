from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from market.accounts.models import OrgKind
from market.rules import RuleError
from market.extensions import db
from market.forms import flash_form_errors, show_error
from market.i18n import local_today, localized_name
from market.permissions import kind_required
from market.pledges import bp, operations, queries
from market.pledges.forms import PledgeForm, ReviewForm
from market.pledges.models import Pledge
from market.regions import queries as regions


def _form() -> PledgeForm:
    form = PledgeForm()
    counties = regions.counties()
    form.county.choices = [SelectChoice("", "—")] + [SelectChoice(c.code, localized_name(c)) for c in counties]
    return form


@bp.route("/", methods=["GET", "POST"])
@kind_required(OrgKind.FIRM, OrgKind.FEDERATION, OrgKind.CITY_OFFICE, active=False)
def index():
    org = current_user.organisation
    form = _form() if org.kind == OrgKind.FIRM else None
    if form is not None and request.method == "GET":
        form.start_date.data = local_today()
        form.end_date.data = local_today().replace(month=12, day=31)
    status = 200
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            county = regions.county_by_code(form.county.data) \
                if form.county.data else None
            try:
                operations.make_pledge(current_user, amount=form.amount.data, mode=form.mode.data,
                                       start_date=form.start_date.data, end_date=form.end_date.data, county=county,
                                       category=form.category.data or None, note=form.note.data,
                                       show_publicly=form.show_publicly.data)
            except RuleError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Your pledge is sent to the commerce federation."), "success")
                return redirect(url_for("pledges.index"))
        status = 422
    rows = queries.pledges_with_progress(firm_id=org.id if org.kind == OrgKind.FIRM else None)
    return render_template("pledges/index.html", rows=rows, form=form, today=local_today(),
                           review_form=ReviewForm()), status


@bp.route("/<int:pledge_id>")
@login_required
def detail(pledge_id: int):
    pledge = db.session.get(Pledge, pledge_id)
    org = current_user.organisation
    if pledge is None or not (pledge.firm_id == org.id or org.kind in (OrgKind.FEDERATION, OrgKind.CITY_OFFICE)):
        abort(404)
    progress = queries.pledges_with_progress(firm_id=pledge.firm_id)
    progress = next(p for p in progress if p.pledge.id == pledge.id)
    return render_template("pledges/detail.html", progress=progress, orders=queries.counting_orders(pledge),
                           today=local_today(), review_form=ReviewForm())


@bp.route("/<int:pledge_id>/<any(confirm, return):decision>", methods=["POST"])
@kind_required(OrgKind.FEDERATION)
def review(pledge_id: int, decision: str):
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("pledges.detail", pledge_id=pledge.id))
    try:
        operations.review_pledge(pledge, current_user, confirm=decision == "confirm", reason=form.reason.data)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The pledge is confirmed.") if decision == "confirm" else _("The pledge is returned to the firm."),
              "success")
    return redirect(url_for("pledges.detail", pledge_id=pledge.id))
