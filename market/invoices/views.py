"""Pages of invoices: the organisation's invoice details, recording an order's invoice, downloads, the proof of
order and the lists of orders paid but not invoiced. Bank accounts and deadlines are in `settle_views`."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts.models import OrgKind
from market.forms import ConfirmForm, refuse
from market.i18n import local_today, money
from market.invoices import bp, panels, queries  # noqa: F401  (panels registers the order and cart panels)
from market.invoices import operations as ops
from market.invoices.forms import DetailsForm, InvoiceForm, RedLetterForm
from market.invoices.proof import proof_pdf
from market.invoices.recording import request_of
from market.numbers import query_int
from market.orders import queries as order_queries
from market.orders.rules import party_of
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to


def _order(order_id: int):
    return authorize(Action.VIEW, order_queries.order_detail(order_id))


def _to_order(order_id: int):
    return redirect(url_for("orders.detail", order_id=order_id))


def _upload(form) -> bytes | None:
    return form.pdf.data.read() if form.pdf.data else None


@bp.route("/details", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.FIRM)
def details():
    """The organisation's invoice details, and a form to add more."""
    form = DetailsForm()
    if form.validate_on_submit():
        ops.add_details(current_user, form.values())
        flash(_("Invoice details for %(title)s are saved.", title=form.title.data), "success")
        return redirect(url_for("invoices.details"))
    return render_template("invoices/details.html", items=queries.details_of(current_user.organisation),
                           form=form, remove_form=ConfirmForm())


@bp.route("/details/<int:details_id>", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.FIRM)
def edit_details(details_id: int):
    item = authorize(Action.EDIT, queries.details(details_id))
    form = DetailsForm(obj=item)
    if form.validate_on_submit():
        ops.edit_details(item, form.values())
        flash(_("Invoice details for %(title)s are saved; orders placed before keep their copy.",
                title=item.title), "success")
        return redirect(url_for("invoices.details"))
    return render_template("invoices/edit_details.html", item=item, form=form)


@bp.route("/details/<int:details_id>/remove", methods=["POST"])
@kind_required(OrgKind.BUYER, OrgKind.FIRM)
def remove_details(details_id: int):
    item = authorize(Action.EDIT, queries.details(details_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = item.title
    ops.remove_details(item)
    flash(_("Invoice details for %(title)s are removed.", title=title), "success")
    return redirect(url_for("invoices.details"))


@bp.route("/orders/<int:order_id>/record", methods=["POST"])
@login_required
def record(order_id: int):
    order = _order(order_id)
    form = InvoiceForm()
    return_to(url_for("orders.detail", order_id=order.id))
    if not form.validate_on_submit():
        refuse(form)
    invoice = ops.record_invoice(order, current_user, number=form.number.data, issued_on=form.issued_on.data,
                                 amount=form.amount.data, kind=form.kind.data, pdf=_upload(form))
    flash(_("Invoice %(number)s of order %(ref)s is recorded (%(amount)s); it can no longer be changed.",
            number=invoice.number, ref=order.reference, amount=money(invoice.amount)), "success")
    return _to_order(order.id)


@bp.route("/orders/<int:order_id>/collective", methods=["POST"])
@login_required
def collective(order_id: int):
    order = _order(order_id)
    return_to(url_for("orders.detail", order_id=order.id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.mark_collective(order, current_user)
    flash(_("The invoice of order %(ref)s will be issued by the county's collective invoicing point.",
            ref=order.reference), "success")
    return _to_order(order.id)


@bp.route("/<int:invoice_id>/red-letter", methods=["POST"])
@login_required
def red_letter(invoice_id: int):
    original = queries.invoice(invoice_id) or abort(404)
    order = _order(original.order_id)
    form = RedLetterForm()
    return_to(url_for("orders.detail", order_id=order.id))
    if not form.validate_on_submit():
        refuse(form)
    invoice = ops.record_red_letter(original, current_user, number=form.number.data, issued_on=form.issued_on.data,
                                    amount=form.amount.data, reason=form.reason.data, pdf=_upload(form))
    flash(_("Red-letter invoice %(number)s (-%(amount)s) is recorded against %(original)s.", number=invoice.number,
            amount=money(invoice.amount), original=original.number), "success")
    return _to_order(order.id)


@bp.route("/<int:invoice_id>.pdf")
@login_required
def download(invoice_id: int):
    """The invoice's file: the order's buyer and supplier only."""
    invoice = authorize(Action.VIEW, queries.invoice(invoice_id))
    if not invoice.has_pdf:
        abort(404)
    return Response(invoice.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="invoice-{invoice.number}.pdf"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@bp.route("/orders/<int:order_id>/proof.pdf")
@login_required
def proof(order_id: int):
    """The proof of order for the buyer's finance office (the two parties may print it)."""
    order = _order(order_id)
    if party_of(current_user, order) is None:
        abort(404)
    data = proof_pdf(order, request_of(order), queries.invoices_of(order), local_today())
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="proof-{order.reference}.pdf"', "Cache-Control": "private"})


@bp.route("/to-invoice")
@kind_required(OrgKind.SUPPLIER, OrgKind.COUNTY_OFFICE, OrgKind.CITY_OFFICE)
def to_invoice():
    """Orders paid but not invoiced: a supplier's own, a county office's county, the city office's all."""
    org = current_user.organisation
    by_county = queries.paid_not_invoiced_by_county() if org.kind == OrgKind.CITY_OFFICE else None
    return render_template("invoices/to_invoice.html", by_county=by_county, pagination=queries.paid_not_invoiced(
        org, page=query_int("page", 1)), count=queries.paid_not_invoiced_count(org))

from market.invoices import settle_views  # noqa: E402,F401  (attaches the bank-account and deadline pages)
