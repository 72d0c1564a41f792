"""The address book pages: only the organisation's own people see and change its addresses."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.delivery import bp, operations, queries
from market.delivery.forms import AddressForm
from market.forms import ConfirmForm
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to


def _buyers():
    return kind_required(OrgKind.BUYER, OrgKind.FIRM)


@bp.route("/", methods=["GET", "POST"])
@_buyers()
def index():
    form = AddressForm()
    if form.validate_on_submit():
        return_to(url_for("delivery.index"))
        operations.add_address(current_user.organisation, form.fields())
        flash(_("The address is added."), "success")
        return redirect(url_for("delivery.index"))
    return render_template("delivery/index.html", addresses=queries.addresses_of(current_user.organisation),
                           form=form, remove=ConfirmForm())


@bp.route("/<int:address_id>", methods=["GET", "POST"])
@_buyers()
def edit(address_id: int):
    address = authorize(Action.EDIT, queries.address(address_id))
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        return_to(url_for("delivery.edit", address_id=address.id))
        operations.edit_address(address, form.fields())
        flash(_("The address is saved. Orders placed before keep the address they were placed with."), "success")
        return redirect(url_for("delivery.index"))
    return render_template("delivery/edit.html", address=address, form=form)


@bp.route("/<int:address_id>/remove", methods=["POST"])
@_buyers()
def remove(address_id: int):
    address = authorize(Action.EDIT, queries.address(address_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.remove_address(address)
    flash(_("The address is removed. Orders placed with it keep their copy."), "success")
    return redirect(url_for("delivery.index"))
