from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts.models import OrgKind
from market.agreements import bp, queries
from market.agreements import operations as ops
from market.agreements.document import agreement_pdf
from market.agreements.forms import AgreementForm, SignForm, TerminateForm, new_terms, version_terms
from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import refuse
from market.i18n import local_today
from market.numbers import MAX_ID, query_int
from market.orders.rules import party_of
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to


def _form(supplier_id: int, shown_first: dict) -> AgreementForm:
    """The terms form offering the supplier's products; `shown_first` fills it when the page is opened."""
    form = AgreementForm(data=shown_first if request.method == "GET" else None)
    form.offer(queries.supplier_products(supplier_id))
    return form


def _status() -> int:
    """A form posted with fields WTForms refuses is shown again with their messages."""
    return 422 if request.method == "POST" else 200


@bp.route("/")
@kind_required(OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE, active=False)
def index():
    return render_template("agreements/index.html", agreements=queries.agreements_for(current_user.organisation))


@bp.route("/new", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.SUPPLIER)
def new():
    mine = current_user.organisation
    counterpart_id = query_int("counterpart", maximum=MAX_ID)
    if counterpart_id is None:
        return render_template("agreements/choose.html", counterparts=queries.counterparts(mine))
    counterpart = queries.counterpart(mine, counterpart_id)
    if counterpart is None:
        abort(404)
    supplier_id = counterpart.id if counterpart.kind == OrgKind.SUPPLIER else mine.id
    form = _form(supplier_id, new_terms(local_today(), request.args.get("product")))
    if form.validate_on_submit():
        agreement = ops.create_agreement(current_user, counterpart, form.terms(),
                                         demand_id=query_int("demand", maximum=MAX_ID))
        flash(_("The draft agreement with %(party)s is saved. Sign it to propose it to them.",
                party=counterpart.name), "success")
        return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return render_template("agreements/edit.html", form=form, counterpart=counterpart, agreement=None), _status()


@bp.route("/<int:agreement_id>")
@login_required
def detail(agreement_id: int):
    agreement = authorize(Action.VIEW, queries.agreement_detail(agreement_id))
    # The sign button always carries the version shown now, never the one a refused signature carried.
    sign_form = SignForm(formdata=None, version=agreement.latest.number)
    return render_template("agreements/detail.html", agreement=agreement, side=party_of(current_user, agreement),
                           fulfilment=queries.fulfilment(agreement, local_today()), sign_form=sign_form, today=local_today())


@bp.route("/<int:agreement_id>/amend", methods=["GET", "POST"])
@login_required
def amend(agreement_id: int):
    agreement = authorize(Action.EDIT, queries.agreement_detail(agreement_id))
    form = _form(agreement.supplier_id, version_terms(agreement.latest))
    if form.validate_on_submit():
        ops.amend(agreement, current_user, form.terms())
        flash(_("The new terms of the agreement between %(buyer)s and %(supplier)s are saved as version %(n)s. "
                "Both parties sign them to bring them into force.", buyer=agreement.buyer.name,
                supplier=agreement.supplier.name, n=agreement.latest.number), "success")
        return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    counterpart = agreement.supplier if current_user.organisation_id == agreement.buyer_id else agreement.buyer
    return render_template("agreements/edit.html", form=form, counterpart=counterpart, agreement=agreement), \
        _status()


@bp.route("/<int:agreement_id>/<any(sign, terminate):action>", methods=["POST"])
@login_required
def act(agreement_id: int, action: str):
    agreement = authorize(Action.EDIT, queries.agreement_detail(agreement_id))
    form = TerminateForm() if action == "terminate" else SignForm()
    back = url_for("agreements.detail", agreement_id=agreement.id)
    return_to(back)
    if not form.validate_on_submit():
        refuse(form)  # back to the agreement, the reason typed kept beside its field
    if action == "sign":
        ops.sign(agreement, current_user, version=form.version.data)
        flash(_("You signed version %(n)s of the agreement between %(buyer)s and %(supplier)s.",
                n=form.version.data, buyer=agreement.buyer.name, supplier=agreement.supplier.name), "success")
    else:
        ops.terminate(agreement, current_user, form.reason.data)
        flash(_("The agreement between %(buyer)s and %(supplier)s is terminated.", buyer=agreement.buyer.name,
                supplier=agreement.supplier.name), "success")
    return redirect(back)


@bp.route("/<int:agreement_id>/terminate")
@login_required
def confirm_terminate(agreement_id: int):
    """The confirmation page of ending an agreement early (its button posts to `act`)."""
    agreement = authorize(Action.EDIT, queries.agreement_detail(agreement_id))
    back = url_for("agreements.detail", agreement_id=agreement.id)
    if party_of(current_user, agreement) is None or agreement.status.value in ("completed", "terminated"):
        return unavailable(back, _("The agreement has already ended."))
    return confirmation_page(Confirmation(
        title=_("Terminate supply agreement No. %(id)s?", id=agreement.id),
        action=url_for("agreements.act", agreement_id=agreement.id, action="terminate"), back=back,
        button=_("Terminate"),
        facts=[(_("Buyer"), agreement.buyer.name), (_("Supplier"), agreement.supplier.name)],
        consequences=[_("No further deliveries are ordered under this agreement; orders already placed are not "
                        "cancelled."),
                      _("The agreement cannot be signed or changed again."),
                      _("The other party sees it terminated, with your reason.")],
        form=TerminateForm(), fields=("reason",), hints={"reason": _("Required.")}))


@bp.route("/<int:agreement_id>.pdf")
@login_required
def pdf(agreement_id: int):
    agreement = authorize(Action.VIEW, queries.agreement_detail(agreement_id))
    return Response(agreement_pdf(agreement), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="agreement-{agreement.id}.pdf"'})
