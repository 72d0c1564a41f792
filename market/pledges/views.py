from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from market.accounts.models import OrgKind
from market.extensions import db
from market.forms import refuse
from market.i18n import local_today, localized_name, money
from market.permissions import Action, authorize, kind_required
from market.pledges import bp, operations, queries
from market.pledges.forms import PledgeForm, ReviewForm
from market.pledges.models import Pledge
from market.regions import queries as regions
from market.transaction import return_to


def _form() -> PledgeForm:
    """The pledge form: when opened, for this year from today."""
    today = local_today()
    form = PledgeForm(data={"start_date": today, "end_date": today.replace(month=12, day=31)}
                      if request.method == "GET" else None)
    form.county.choices = [SelectChoice("", "—")] + [SelectChoice(c.code, localized_name(c))
                                                     for c in regions.counties()]
    return form


@bp.route("/", methods=["GET", "POST"])
@kind_required(OrgKind.FIRM, OrgKind.FEDERATION, OrgKind.CITY_OFFICE, active=False)
def index():
    org = current_user.organisation
    form = _form() if org.kind == OrgKind.FIRM else None  # the others review; they have nothing to post
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            pledge = operations.make_pledge(current_user, **form.arguments())
            flash(_("Your pledge of %(amount)s is sent to the commerce federation.", amount=money(pledge.amount)),
                  "success")
            return redirect(url_for("pledges.index"))
    rows = queries.pledges_with_progress(firm_id=org.id if org.kind == OrgKind.FIRM else None)
    return render_template("pledges/index.html", rows=rows, form=form, today=local_today(),
                           review_form=ReviewForm()), (422 if request.method == "POST" else 200)


@bp.route("/<int:pledge_id>")
@login_required
def detail(pledge_id: int):
    pledge = authorize(Action.VIEW, db.session.get(Pledge, pledge_id))
    return render_template("pledges/detail.html", progress=queries.progress_of(pledge),
                           orders=queries.counting_orders(pledge), today=local_today(), review_form=ReviewForm())


@bp.route("/<int:pledge_id>/<any(confirm, return):decision>", methods=["POST"])
@kind_required(OrgKind.FEDERATION)
def review(pledge_id: int, decision: str):
    pledge = authorize(Action.APPROVE, db.session.get(Pledge, pledge_id))
    form = ReviewForm()
    back = url_for("pledges.detail", pledge_id=pledge.id)
    return_to(back)
    if not form.validate_on_submit():
        refuse(form)  # back to the pledge, the reason typed kept beside its field
    else:
        operations.review_pledge(pledge, current_user, confirm=decision == "confirm", reason=form.reason.data)
        flash(_("The pledge of %(firm)s (%(amount)s) is confirmed.", firm=pledge.firm.name,
                amount=money(pledge.amount)) if decision == "confirm"
              else _("The pledge of %(firm)s (%(amount)s) is returned to the firm.", firm=pledge.firm.name,
                     amount=money(pledge.amount)), "success")
    return redirect(back)
