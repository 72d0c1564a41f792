"""The register's pages: the county office keeps its households, the city office reads every county's. Lists
mask names and phones; "show" reveals them on the detail page for that one answer, written to the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.forms import ConfirmForm
from market.households import bp, operations, queries
from market.households.forms import HouseholdForm
from market.households.listing import list_filters
from market.households.privacy import mask_name, mask_phone
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to

_offices = kind_required(OrgKind.COUNTY_OFFICE, OrgKind.CITY_OFFICE)
_county_office = kind_required(OrgKind.COUNTY_OFFICE)


@bp.route("/")
@_offices
def index():
    filters = list_filters(current_user.organisation)
    pagination = queries.households(filters["county_id"], village_id=filters["village_id"],
                                    status=filters["status"], page=filters["page"])
    counts = queries.counts_by_status(filters["county_id"], filters["village_id"])
    return render_template("households/index.html", pagination=pagination, counts=counts, filters=filters,
                           mask_name=mask_name, mask_phone=mask_phone)


@bp.route("/<int:household_id>")
@_offices
def detail(household_id: int):
    household = authorize(Action.VIEW, queries.household(household_id))
    return render_template("households/detail.html", household=household, revealed=False, show=ConfirmForm(),
                           mask_name=mask_name, mask_phone=mask_phone)


@bp.route("/<int:household_id>/show", methods=["POST"])
@_offices
def show(household_id: int):
    household = authorize(Action.VIEW, queries.household(household_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.reveal(household)
    # Rendered, not redirected: the full name is in this answer only, never in a page one can come back to.
    response = render_template("households/detail.html", household=household, revealed=True, show=ConfirmForm(),
                               mask_name=mask_name, mask_phone=mask_phone)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/new", methods=["GET", "POST"])
@_county_office
def new():
    county = current_user.organisation.county
    form = HouseholdForm(queries.villages_of(county.id))
    if form.validate_on_submit():
        return_to(url_for("households.new"))
        household = operations.add_household(county, form.fields())
        flash(_("The household is added to the register."), "success")
        return redirect(url_for("households.detail", household_id=household.id))
    return render_template("households/form.html", form=form, household=None)


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@_county_office
def edit(household_id: int):
    household = authorize(Action.EDIT, queries.household(household_id))
    form = HouseholdForm(queries.villages_of(household.county_id), obj=household)
    if request.method == "GET" and not form.kept:
        form.village_id.data, form.status.data = str(household.village_id), household.status.value
    if form.validate_on_submit():
        return_to(url_for("households.edit", household_id=household.id))
        operations.edit_household(household, form.fields())
        flash(_("The household is saved."), "success")
        return redirect(url_for("households.detail", household_id=household.id))
    return render_template("households/form.html", form=form, household=household)


from market.households import import_views  # noqa: E402,F401  (the import pages, on the same blueprint)
