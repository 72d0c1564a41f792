from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from market.accounts.models import Organisation, OrgKind, OrgStatus
from market.agreements import bp, queries
from market.agreements import operations as ops
from market.agreements.forms import AgreementForm, SignForm, TerminateForm
from market.catalog.models import Product
from market.rules import RuleError
from market.extensions import db
from market.forms import flash_form_errors, show_error
from market.i18n import local_today
from market.numbers import MAX_ID, query_int
from market.permissions import Action, authorize, kind_required


def _supplier_products(supplier_id: int) -> list[SelectChoice]:
    products = db.session.scalars(select(Product).where(Product.supplier_id == supplier_id, Product.listed_clause())
                                  .order_by(Product.name)).all()
    return [SelectChoice("", "—")] + [SelectChoice(str(p.id), f"{p.name} · ¥{p.price}/{p.unit.value}") for p in products]


@bp.route("/")
@kind_required(OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE, active=False)
def index():
    return render_template("agreements/index.html", agreements=queries.agreements_for(current_user.organisation))


@bp.route("/new", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.SUPPLIER)
def new():
    mine = current_user.organisation
    wanted = OrgKind.SUPPLIER if mine.kind == OrgKind.BUYER else OrgKind.BUYER
    counterpart_id = query_int("counterpart", maximum=MAX_ID)
    if counterpart_id is None:
        counterparts = db.session.scalars(select(Organisation).where(Organisation.kind == wanted,
                                                                     Organisation.status == OrgStatus.ACTIVE)
                                          .order_by(Organisation.name)).all()
        return render_template("agreements/choose.html", counterparts=counterparts)
    counterpart = db.session.get(Organisation, counterpart_id)
    if counterpart is None or counterpart.kind != wanted or counterpart.status != OrgStatus.ACTIVE:
        abort(404)
    supplier_id = counterpart.id if wanted == OrgKind.SUPPLIER else mine.id
    form = AgreementForm()
    for entry in form.lines:
        entry.product_id.choices = _supplier_products(supplier_id)
    if request.method == "GET":
        form.start_date.data = local_today()
        form.end_date.data = local_today().replace(year=local_today().year + 1)
        product_id = request.args.get("product")
        if product_id:
            form.lines[0].product_id.data = product_id
    if form.validate_on_submit():
        try:
            agreement = ops.create_agreement(current_user, counterpart, form.terms(),
                                             demand_id=query_int("demand", maximum=MAX_ID))
        except RuleError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The draft is saved. Sign it to propose it to the other party."), "success")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template("agreements/edit.html", form=form, counterpart=counterpart, agreement=None), \
        (422 if request.method == "POST" else 200)


@bp.route("/<int:agreement_id>")
@login_required
def detail(agreement_id: int):
    agreement = authorize(Action.VIEW, queries.agreement_detail(agreement_id))
    return render_template("agreements/detail.html", agreement=agreement, side=ops._side(current_user, agreement),
                           fulfilment=queries.fulfilment(agreement, local_today()), terminate_form=TerminateForm(),
                           sign_form=SignForm(version=agreement.latest.number), today=local_today())


@bp.route("/<int:agreement_id>/amend", methods=["GET", "POST"])
@login_required
def amend(agreement_id: int):
    agreement = authorize(Action.EDIT, queries.agreement_detail(agreement_id))
    latest = agreement.latest
    form = AgreementForm()
    for entry in form.lines:
        entry.product_id.choices = _supplier_products(agreement.supplier_id)
    if request.method == "GET":
        for entry, line in zip(form.lines, latest.lines):
            entry.product_id.data = str(line.product_id)
            entry.quantity.data = f"{line.quantity.normalize():f}"
            entry.unit_price.data = f"{line.unit_price}"
        form.schedule_kind.data = latest.schedule_kind.value
        form.weekdays.data = latest.weekday_list
        form.month_day.data = latest.month_day
        form.start_date.data, form.end_date.data = latest.start_date, latest.end_date
        form.delivery_place.data, form.note.data = latest.delivery_place, latest.note
    if form.validate_on_submit():
        try:
            ops.amend(agreement, current_user, form.terms())
        except RuleError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The new terms are saved as version %(n)s. Both parties sign them to bring them into force.",
                    n=agreement.latest.number), "success")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    counterpart = agreement.supplier if current_user.organisation_id == agreement.buyer_id else agreement.buyer
    return render_template("agreements/edit.html", form=form, counterpart=counterpart, agreement=agreement), \
        (422 if request.method == "POST" else 200)


@bp.route("/<int:agreement_id>/<any(sign, terminate):action>", methods=["POST"])
@login_required
def act(agreement_id: int, action: str):
    agreement = authorize(Action.EDIT, queries.agreement_detail(agreement_id))
    form = TerminateForm() if action == "terminate" else SignForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    try:
        if action == "sign":
            ops.sign(agreement, current_user, version=form.version.data)
        else:
            ops.terminate(agreement, current_user, form.reason.data)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Signed.") if action == "sign" else _("The agreement is terminated."), "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>.pdf")
@login_required
def pdf(agreement_id: int):
    from market.agreements.document import agreement_pdf

    agreement = authorize(Action.VIEW, queries.agreement_detail(agreement_id))
    return Response(agreement_pdf(agreement), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="agreement-{agreement.id}.pdf"'})
