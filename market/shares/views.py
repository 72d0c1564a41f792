"""The reserved-share pages: a unit's declaration and progress (its manager declares, and answers shared-canteen
requests), and the city office's list of every declaration."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.forms import ConfirmForm
from market.i18n import local_today
from market.numbers import MAX_YEAR, MIN_YEAR, query_int
from market.permissions import Action, authorize, kind_required
from market.shares import bp, queries
from market.shares import operations as ops
from market.shares.forms import declaration_form
from market.shares.models import ReservedShare
from market.transaction import return_to


@bp.route("/reserved-share", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.CITY_OFFICE, active=False)
def reserved_share():
    org = current_user.organisation
    year = query_int("year", local_today().year, minimum=MIN_YEAR, maximum=MAX_YEAR)
    if org.kind == OrgKind.CITY_OFFICE:
        return render_template("shares/reserved_share_city.html", rows=queries.shares_with_progress(year), year=year)
    decl = queries.declaration(org, year)
    form = declaration_form(decl, year, queries.other_budget_units(org))
    if form.validate_on_submit():
        authorize(Action.EDIT, decl or ReservedShare(buyer_id=org.id, year=year))  # a member: 403
        decl = ops.declare_reserved_share(
            org, current_user, year=form.year.data, mode=form.canteen_mode.data, spending=form.canteen_spending.data,
            percent=form.share_percent.data, contractor_name=form.contractor_name.data,
            covered_unit_ids=form.covered_units.data)
        flash(_("The declaration for %(year)s is saved.", year=decl.year), "success")
        return redirect(url_for("shares.reserved_share", year=decl.year))
    return render_template(
        "shares/reserved_share.html", form=form, year=year, floor=ops.reserved_share_floor(),
        progress=queries.share_progress(decl) if decl else None,
        covering=queries.covering_declaration(org, year) if decl is None else None,
        suggested=current_app.config["RESERVED_SHARE_SUGGESTED"], requests=queries.coverage_requests(org, year),
        confirm=ConfirmForm())


@bp.route("/reserved-share/coverage/<int:coverage_id>/<any(accept, decline):answer>", methods=["POST"])
@kind_required(OrgKind.BUYER)
def answer_coverage(coverage_id: int, answer: str):
    """A covered unit's manager accepts or declines another unit's shared-canteen declaration."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    coverage = authorize(Action.EDIT, queries.coverage(coverage_id))  # another unit's request: 404; a member: 403
    return_to(url_for("shares.reserved_share", year=coverage.year))
    ops.answer_coverage(current_user.organisation, current_user, coverage.id, accept=answer == "accept")
    flash(_("Accepted: your unit's counted purchases now count toward the shared canteen's reserved share.")
          if answer == "accept" else _("Declined: your unit is not covered by that declaration."), "success")
    return redirect(url_for("shares.reserved_share", year=coverage.year))
