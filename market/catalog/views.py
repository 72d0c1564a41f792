"""The catalog's pages. Each view turns the request into arguments, calls an operation or a query, says what
happened and redirects; a rule's refusal (RuleError) is answered by the blueprint's handler, which sends the
browser back to the form with what was typed (`market.transaction`)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectChoice

from market.accounts.models import OrgKind
from market.catalog import bp, queries
from market.catalog import exports
from market.catalog import operations as ops
from market.catalog.forms import (
    CartAddForm,
    NewProductForm,
    PhotoForm,
    ProductForm,
    ReviewForm,
    StockForm,
    SurveyImportForm,
    SurveyRowForm,
)
from market.catalog.models import Category, Product
from market.catalog.survey.importing import import_survey_file
from market.catalog.survey.template import template_csv, template_xlsx
from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import ConfirmForm, refuse
from market.http import go_to, shared_fragment, shared_page
from market.i18n import local_today
from market.i18n import quantity as quantity_text
from market.labels import label
from market.numbers import MAX_ID, query_int
from market.pairing.queries import county_for_buyer
from market.permissions import Action, authorize, can, kind_required
from market.regions.models import County
from market.regions.queries import county_or_404
from market.transaction import return_to


def _product_or_404(product_id: int, action: Action = Action.VIEW) -> Product:
    return authorize(action, queries.product(product_id))


def _filters() -> queries.CatalogFilters:
    args = request.args
    category = args.get("category") or None
    per_page = query_int("per_page", maximum=MAX_ID)
    if category not in (None, *Category):
        category = None
    return queries.CatalogFilters(
        category=Category(category) if category else None,
        stranded_only=args.get("stranded") == "1",
        in_stock=args.get("in_stock") == "1",
        q=(args.get("q") or "").strip()[:50] or None,
        sort=args.get("sort") if args.get("sort") in queries.SORTS else "urgent",
        page=query_int("page", 1),
        per_page=per_page if per_page in queries.PAGE_SIZES else queries.PER_PAGE,
    )


# --- the public catalog -------------------------------------------------------------------------------------


def _paired_county() -> County | None:
    """The signed-in buyer's paired county (its produce comes first and is marked), if any."""
    if current_user.is_authenticated and current_user.organisation.kind == OrgKind.BUYER:
        return county_for_buyer(current_user.organisation)
    return None


@bp.route("/")
def index():
    paired = _paired_county()
    today = local_today()

    def render() -> str:
        totals = queries.county_totals(today)
        paired_rows = []
        if paired is not None:
            totals.sort(key=lambda row: row["county"].id != paired.id)  # stable: the paired county first
            _total, paired_rows = queries.published_products(
                paired, queries.CatalogFilters(stranded_only=True, in_stock=True, per_page=8), today)
        return render_template("catalog/index.html", totals=totals, paired=paired, paired_rows=paired_rows,
                               today=today)

    return shared_page(("city", queries.catalog_version(None), today, paired.id if paired else "-"), render)


@bp.route("/all")
def all_counties():
    """Every county's published produce in one list; a buyer's paired county first."""
    paired = _paired_county()
    version, size = queries.catalog_version_and_size()
    return shared_page(("all", version, local_today(), paired.id if paired else "-"), lambda: render_template(
        "catalog/county.html", county=None, size=size, listing=_listing(None, version, paired)))


@bp.route("/<code>")
def county(code: str):
    county, version, size = queries.county_with_catalog_version(code)
    paired = _paired_county()
    return shared_page(("county", county.code, version, local_today(), paired.id if paired else "-"),
                       lambda: render_template("catalog/county.html", county=county, size=size,
                                               listing=_listing(county, version, paired)))


def _listing(county: County | None, version: str, paired: County | None) -> Markup:
    """A catalog's list (filters, products, pager), shared by every visitor who asks for the same one: same
    catalog version, filters, language, day and paired county. Any change to a product changes `version`."""
    today = local_today()

    def render() -> str:
        filters = _filters()
        total, rows = queries.published_products(
            county, filters, today, first_county_id=paired.id if paired and county is None else None)
        pages = max((total + filters.per_page - 1) // filters.per_page, 1)
        return render_template("catalog/_listing.html", county=county, rows=rows, total=total, filters=filters,
                               pages=pages, categories=list(Category), today=today, paired=paired,
                               page_sizes=queries.PAGE_SIZES)

    return shared_fragment("catalog-list", (county.code if county else "*", version, today,
                                            paired.id if paired else "-"), render)


@bp.route("/<code>/catalog.<any(xlsx, csv, pdf):fmt>")
def export(code: str, fmt: str):
    county = county_or_404(code)
    _total, rows = queries.published_products(
        county, queries.CatalogFilters(per_page=100_000), local_today())
    products = [product for product, _photo in rows]
    today = local_today()
    if fmt == "csv":
        data, mimetype = exports.catalog_csv(county, products), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data = exports.catalog_xlsx(county, products)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype = exports.catalog_pdf(county, products, generated_on=today), "application/pdf"
    filename = f"{county.code}-catalog-{today.isoformat()}.{fmt}"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/products/<int:product_id>")
def product(product_id: int):
    """A visitor sees a link to sign in instead of the forms (a form would need a CSRF token, so a session)."""
    product = queries.product_with_supplier(product_id)
    authorize(Action.VIEW, product)
    paired = _paired_county()
    today = local_today()

    def render() -> str:
        forms = {} if not current_user.is_authenticated else dict(
            review_form=ReviewForm(), photo_form=PhotoForm(),
            cart_form=CartAddForm(product_id=product.id, quantity=f"{product.min_order_quantity:f}"))
        return render_template("catalog/product.html", product=product, today=today, paired=paired, **forms)

    return shared_page(("product", product.id, product.updated_at.isoformat(), product.supplier.status, today,
                        paired.id if paired else "-"), render)


@bp.route("/photos/<int:photo_id>.<any(full, thumb):variant>")
def photo(photo_id: int, variant: str):
    photo = queries.photo(photo_id, variant)
    if photo is None:
        abort(404)
    authorize(Action.VIEW, photo.product)
    etag = f"{photo.digest[:24]}-{variant}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(photo.data if variant == "full" else photo.thumbnail, mimetype=photo.content_type)
    response.set_etag(etag)
    public = photo.product.listed
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age=86400"
    return response


# --- a supplier's listings ----------------------------------------------------------------------------------


@bp.route("/mine")
@kind_required(OrgKind.SUPPLIER, active=False)
def mine():
    products = queries.supplier_products(current_user.organisation)
    return render_template("catalog/mine.html", products=products, today=local_today())


@bp.route("/mine/new", methods=["GET", "POST"])
@kind_required(OrgKind.SUPPLIER)
def new_product():
    form = NewProductForm()
    if form.validate_on_submit():
        product = ops.create_product(current_user.organisation, current_user, form.product_fields(),
                                     form.opening_stock.data)
        flash(_("%(name)s is saved as a draft. Add a photo, then submit it for review.", name=product.name),
              "success")
        return redirect(url_for("catalog.product", product_id=product.id))
    return render_template("catalog/edit.html", form=form, product=None)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):
    product = _product_or_404(product_id, Action.EDIT)
    # Only a GET fills the form from the product; a POST is judged on what was sent.
    form = ProductForm(obj=product) if request.method == "GET" else ProductForm()
    if form.validate_on_submit():
        back_to_review = ops.update_product(product, current_user, form.product_fields())
        flash(_("The changes to %(name)s go to the county office for review; until then it is off the catalog.",
                name=product.name) if back_to_review else _("The details of %(name)s are saved.", name=product.name),
              "success")
        return redirect(url_for("catalog.product", product_id=product.id))
    return render_template("catalog/edit.html", form=form, product=product, reviewed=ops.REVIEWED_FIELDS)


@bp.route("/products/<int:product_id>/<any(submit, withdraw):action>", methods=["POST"])
@login_required
def listing_action(product_id: int, action: str):
    product = _product_or_404(product_id, Action.EDIT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_to(url_for("catalog.product", product_id=product.id))
    ops.submit_product(product) if action == "submit" else ops.withdraw_product(product)
    flash(_("%(name)s is submitted to the county office for review.", name=product.name) if action == "submit"
          else _("%(name)s is off the catalog and back to draft.", name=product.name), "success")
    return redirect(url_for("catalog.product", product_id=product.id))


@bp.route("/products/<int:product_id>/withdraw")
@login_required
def confirm_withdraw(product_id: int):
    """The confirmation page of withdrawing a listing (it posts to `listing_action`)."""
    product = _product_or_404(product_id, Action.EDIT)
    back = url_for("catalog.product", product_id=product.id)
    if product.status.value not in ("published", "submitted"):
        return unavailable(back, _("Only a published or submitted listing can be withdrawn."))
    return confirmation_page(Confirmation(
        title=_("Withdraw %(name)s?", name=product.name), button=_("Withdraw"), back=back,
        action=url_for("catalog.listing_action", product_id=product.id, action="withdraw"),
        facts=[(_("Product"), product.name), (_("Listing status"), label(product.status))],
        consequences=[_("%(name)s is taken off the catalog: buyers can no longer order it.", name=product.name),
                      _("It goes back to draft with its stock and history; to sell it again, submit it for "
                        "review by the county office.")]))


@bp.route("/products/<int:product_id>/photos", methods=["POST"])
@login_required
def add_photo(product_id: int):
    product = _product_or_404(product_id, Action.EDIT)
    return_to(url_for("catalog.product", product_id=product.id))
    form = PhotoForm()
    if form.validate_on_submit():
        ops.add_photo(product, form.photo.data.read())
        flash(_("A photo of %(name)s is added.", name=product.name), "success")
    else:
        for error in form.photo.errors:
            flash(error, "error")
    return redirect(url_for("catalog.product", product_id=product.id))


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@login_required
def delete_photo(photo_id: int):
    photo = queries.photo(photo_id)
    if photo is None:
        abort(404)
    authorize(Action.EDIT, photo.product)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    product = photo.product
    ops.remove_photo(photo)
    flash(_("A photo of %(name)s is removed.", name=product.name), "success")
    return redirect(url_for("catalog.product", product_id=product.id))


@bp.route("/photos/<int:photo_id>/delete")
@login_required
def confirm_delete_photo(photo_id: int):
    """The confirmation page of removing a product's photo (it posts to `delete_photo`)."""
    photo = queries.photo(photo_id)
    if photo is None:
        abort(404)
    product = authorize(Action.EDIT, photo.product)
    return confirmation_page(Confirmation(
        title=_("Remove this photo of %(name)s?", name=product.name), button=_("Remove"),
        action=url_for("catalog.delete_photo", photo_id=photo.id),
        back=url_for("catalog.product", product_id=product.id),
        image=url_for("catalog.photo", photo_id=photo.id, variant="thumb"),
        consequences=[_("The photo is removed from the listing for good.")]))


@bp.route("/products/<int:product_id>/stock", methods=["GET", "POST"])
@login_required
def stock(product_id: int):
    product = _product_or_404(product_id, Action.VIEW_LEDGER)
    form = StockForm()
    if request.method == "POST":
        authorize(Action.EDIT, product)
        if form.validate_on_submit():
            ops.record_stock_change(product, current_user, form.delta.data, form.reason.data, form.note.data)
            flash(_("The stock of %(name)s is updated: %(qty)s %(unit)s unsold.", name=product.name,
                    qty=quantity_text(product.unsold_quantity), unit=label(product.unit)), "success")
            return redirect(url_for("catalog.stock", product_id=product.id))
    return render_template("catalog/stock.html", product=product, entries=queries.ledger(product), form=form,
                           can_edit=can(current_user, Action.EDIT, product))


# --- the county office's review and survey ----------------------------------------------------------------


@bp.route("/review")
@kind_required(OrgKind.COUNTY_OFFICE, OrgKind.CITY_OFFICE)
def review():
    org = current_user.organisation
    county_id = org.county_id if org.kind == OrgKind.COUNTY_OFFICE else None
    return render_template("catalog/review.html", products=queries.review_queue(county_id), form=ReviewForm())


@bp.route("/products/<int:product_id>/<any(approve, return):decision>", methods=["POST"])
@login_required
def review_product(product_id: int, decision: str):
    product = _product_or_404(product_id, Action.APPROVE)
    # A refusal (no reason to return it) comes back to the product's review, with the reason typed kept.
    return_to(url_for("catalog.product", product_id=product.id))
    form = ReviewForm()
    if not form.validate_on_submit():
        refuse(form)
    ops.review_product(product, current_user, approve=decision == "approve", reason=form.reason.data)
    flash(_("%(name)s is published in the catalog.", name=product.name) if decision == "approve"
          else _("%(name)s is returned to the supplier.", name=product.name), "success")
    return redirect(url_for("catalog.review"))


def _survey_form() -> SurveyRowForm:
    form = SurveyRowForm()
    products = queries.county_products_for_survey(current_user.organisation.county_id)
    form.product_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), f"{p.name} · {p.supplier.name}") for p in products]
    return form


def _survey_page(form, import_form, errors=None, status=200):
    county_id = current_user.organisation.county_id
    page = query_int("page", 1)
    return render_template("catalog/survey.html", form=form, import_form=import_form, errors=errors or [],
                           pagination=queries.survey_rows(county_id, page=page),
                           totals=queries.survey_totals(county_id)), status


@bp.route("/survey", methods=["GET", "POST"])
@kind_required(OrgKind.COUNTY_OFFICE)
def survey():
    form = _survey_form()
    if form.validate_on_submit():
        ops.add_survey_row(current_user.organisation.county, current_user, form.row_fields())
        flash(_("The survey row for %(name)s is saved.", name=form.product_name.data), "success")
        return redirect(url_for("catalog.survey"))
    return _survey_page(form, SurveyImportForm(), status=200 if request.method == "GET" else 422)


@bp.route("/survey/template.<any(xlsx, csv):fmt>")
@kind_required(OrgKind.COUNTY_OFFICE, OrgKind.CITY_OFFICE, active=False)
def survey_template(fmt: str):
    if fmt == "xlsx":
        data, mimetype = template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype = template_csv(), "text/csv; charset=utf-8"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="survey-template.{fmt}"'})


@bp.route("/survey/import", methods=["POST"])
@kind_required(OrgKind.COUNTY_OFFICE)
def survey_import():
    """The whole file or nothing: a file with any error is shown again with every error by row and column."""
    import_form = SurveyImportForm()
    if not import_form.validate_on_submit():
        return _survey_page(_survey_form(), import_form, status=422)
    upload = import_form.file.data
    count, errors = import_survey_file(current_user.organisation.county, current_user, upload.filename or "",
                                       upload.read())
    if errors:
        return _survey_page(_survey_form(), import_form, errors=errors, status=422)
    flash(_("%(n)s survey rows are imported.", n=count), "success")
    return go_to(url_for("catalog.survey"))
