"""Invoices through the API: the caller's saved invoice details, and the supplier recording an order's invoice
(JSON, or multipart/form-data with the PDF as `pdf`), handing it to the collective point, or a red-letter one."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import only_for, signed_in, visible
from market.api.serializers import invoice_details_json, order_json
from market.invoices import operations as invoice_ops
from market.invoices import queries as invoice_queries
from market.invoices.recording import ordinary_invoice
from market.orders import queries as order_queries
from market.problems import ApiProblem

INVOICE_FIELDS = {"number", "issued_on", "amount", "kind"}
RED_LETTER_FIELDS = {"number", "issued_on", "amount", "reason"}


@bp.route("/invoice-details")
@signed_in
def invoice_details():
    org = only_for((OrgKind.BUYER, OrgKind.FIRM), _("Only buyers and firms keep invoice details."))
    return jsonify(items=[invoice_details_json(item) for item in invoice_queries.details_of(org)])


def _fields(allowed: set[str]) -> tuple[dict, bytes | None]:
    """The fields (JSON object, or form fields) and the uploaded PDF (multipart only)."""
    if request.mimetype == "multipart/form-data":
        data = {key: request.form.get(key) for key in request.form}
        upload = request.files.get("pdf")
        pdf = upload.read() if upload else None
    elif request.is_json:
        data, pdf = request.get_json(silent=True), None
        if not isinstance(data, dict):
            raise ApiProblem(400, _("The body must be a JSON object."))
    else:
        raise ApiProblem(415)
    unknown = set(data) - allowed
    if unknown:
        raise ApiProblem(422, errors={name: _("Unknown field.") for name in sorted(unknown)})
    raw_day = data.get("issued_on")
    try:
        data["issued_on"] = date.fromisoformat(raw_day) if isinstance(raw_day, str) and raw_day else None
    except ValueError:
        raise ApiProblem(422, errors={"issued_on": _("A date as YYYY-MM-DD.")}) from None
    return data, pdf


@bp.route("/orders/<int:order_id>/invoice", methods=["POST"])
@signed_in
def record_invoice(order_id: int):
    order = visible(order_queries.order_detail(order_id))
    data, pdf = _fields(INVOICE_FIELDS)
    invoice_ops.record_invoice(order, current_user, number=data.get("number"), issued_on=data["issued_on"],
                               amount=data.get("amount"), kind=data.get("kind"), pdf=pdf)
    return jsonify(order_json(order_queries.order_detail(order.id))), 201


@bp.route("/orders/<int:order_id>/invoice/collective", methods=["POST"])
@signed_in
def collective_invoice(order_id: int):
    order = visible(order_queries.order_detail(order_id))
    invoice_ops.mark_collective(order, current_user)
    return jsonify(order_json(order_queries.order_detail(order.id)))


@bp.route("/orders/<int:order_id>/invoice/red-letter", methods=["POST"])
@signed_in
def red_letter_invoice(order_id: int):
    order = visible(order_queries.order_detail(order_id))
    original = ordinary_invoice(order)
    if original is None:
        raise ApiProblem(409, _("This order has no invoice to correct."))
    data, pdf = _fields(RED_LETTER_FIELDS)
    invoice_ops.record_red_letter(original, current_user, number=data.get("number"), issued_on=data["issued_on"],
                                  amount=data.get("amount"), reason=data.get("reason"), pdf=pdf)
    return jsonify(order_json(order_queries.order_detail(order.id))), 201
