from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from market.accounts.models import OrgKind
from market.i18n import current_locale, local_today, localized_name
from market.pairing import bp, operations, queries
from market.pairing.forms import SystemPairingForm, VillagePairingForm
from market.permissions import kind_required
from market.regions import queries as regions


def _forms() -> tuple[SystemPairingForm, VillagePairingForm]:
    system_form = SystemPairingForm(prefix="system")
    system_form.county.choices = [SelectChoice(c.code, localized_name(c)) for c in regions.counties()]
    village_form = VillagePairingForm(prefix="village")
    village_form.buyer.choices = [SelectChoice(u.id, u.name) for u in queries.village_units()]
    village_form.village.choices = [SelectChoice(v.id, f"{localized_name(v.county)} {v.name(current_locale())}")
                                    for v in regions.villages()]
    return system_form, village_form


def _add(form) -> None:
    if isinstance(form, SystemPairingForm):
        operations.add_system_pairing(current_user, form.system.data, form.county.data, form.valid_from.data,
                                      form.note.data)
    else:
        operations.add_village_pairing(current_user, form.buyer.data, form.village.data, form.valid_from.data,
                                       form.note.data)


def _chosen(field) -> str:
    """The label of the option chosen in a select field."""
    return next((str(label) for value, label, selected, *_rest in field.iter_choices() if selected), "")


@bp.route("/pairing/", methods=["GET", "POST"])
@kind_required(OrgKind.CITY_OFFICE)
def manage():
    system_form, village_form = _forms()
    if request.method == "POST":
        form = {"system": system_form, "village": village_form}.get(request.form.get("which"))
        if form is None:
            abort(400)
        if form.validate_on_submit():
            _add(form)
            system = isinstance(form, SystemPairingForm)
            flash(_("The pairing %(buyer)s → %(seller)s is saved; it holds from %(day)s.",
                    buyer=_chosen(form.system if system else form.buyer),
                    seller=_chosen(form.county if system else form.village), day=form.valid_from.data.isoformat()),
                  "success")
            return redirect(url_for("pairing.manage"))
    return render_template("pairing/manage.html", system_form=system_form, village_form=village_form,
                           current=queries.current_system_pairings(), history=queries.system_pairing_history(),
                           villages=queries.village_pairing_history(), today=local_today()), \
        (422 if request.method == "POST" else 200)
