"""The import pages: upload the county's register file, choose which column is which, import it whole."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.households import bp, importing
from market.households.forms import MappingForm, UploadForm
from market.permissions import kind_required
from market.transaction import return_to

_county_office = kind_required(OrgKind.COUNTY_OFFICE)


@bp.route("/import", methods=["GET", "POST"])
@_county_office
def import_file():
    form = UploadForm()
    if form.validate_on_submit():
        return_to(url_for("households.import_file"))
        data = form.file.data.read(importing.MAX_UPLOAD_READ) if form.file.data else b""
        token = importing.store_upload(current_user.organisation.county, data)
        return redirect(url_for("households.import_columns", token=token))
    return render_template("households/import.html", form=form, fields=importing.FIELDS)


@bp.route("/import/<token>", methods=["GET", "POST"])
@_county_office
def import_columns(token: str):
    county = current_user.organisation.county
    return_to(url_for("households.import_file"))
    shown = importing.preview(importing.upload(county, token))
    form = MappingForm()
    form.offer(shown["columns"])
    errors = []
    if form.validate_on_submit():
        return_to(url_for("households.import_columns", token=token))
        outcome, errors = importing.import_upload(county, token, form.mapping())
        if outcome is not None:
            flash(_("Imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
                    added=outcome.added, updated=outcome.updated, unchanged=outcome.unchanged), "success")
            return redirect(url_for("households.index"))
    return render_template("households/import_columns.html", form=form, shown=shown, errors=errors, token=token,
                           fields=importing.FIELDS), 422 if errors else 200
