"""Reads for the catalogs: one county's page, the city-wide view, a supplier's listings, the review queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import abort
from sqlalchemy import BigInteger, case, func, literal, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload, undefer

from market.accounts.models import Organisation, OrgKind, OrgStatus
from market.catalog.models import Category, ListingStatus, Product, ProductPhoto, StockEntry, SurveyRow
from market.extensions import db
from market.regions.models import County

SORTS = ("urgent", "price", "price_desc", "newest")
PER_PAGE = 20
#: The page sizes a visitor can choose on a catalog page.
PAGE_SIZES = (20, 50, 100)


@dataclass
class CatalogFilters:
    category: Category | None = None
    stranded_only: bool = False
    exclude_stranded: bool = False
    in_stock: bool = False
    q: str | None = None
    sort: str = "urgent"
    page: int = 1
    per_page: int = PER_PAGE


def first_photo_id():
    """The id of a product's first photo, as a column (no photo bytes are read)."""
    return (
        select(func.min(ProductPhoto.id)).where(ProductPhoto.product_id == Product.id).correlate(Product)
        .scalar_subquery()
    )


def urgency_order():
    """Most urgent first: stranded before not, stranded longest first, then spoiling soonest.

    Plain columns with NULLS LAST (no CASE), so PostgreSQL can read a county's catalog in this order straight
    from the partial index ix_products_catalog_urgency and stop after one page."""
    return (
        Product.stranded.desc(),
        Product.stranded_since.asc().nulls_last(),
        Product.best_before.asc().nulls_last(),
        Product.id.asc(),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_clause(q: str):
    """Substring match on Chinese (or any) text; served by the pg_trgm index on PostgreSQL."""
    return Product.search_text.like(f"%{_escape_like(q.lower())}%", escape="\\")


def published_products(county: County | None, filters: CatalogFilters, day: date, *,
                       first_county_id: int | None = None):
    """Published products of a county (or all counties), filtered and sorted, with the first photo's id.

    Every listed product (published, supplier active) is shown, also those off sale (no stock left,
    identification expired) unless
    `in_stock` asks for orderable ones only. `first_county_id` (a buyer's paired county) puts that county's
    products before all others. Three statements whatever the number of products: a count, one page of rows,
    and that page's suppliers.
    """
    stmt = (
        select(Product, first_photo_id().label("photo_id"))
        # selectin, not a join: the page query stays on products alone so the LIMIT applies to the index scan
        .options(selectinload(Product.supplier))
        .where(Product.listed_clause())
    )
    if county is not None:
        stmt = stmt.where(Product.county_id == county.id)
    if filters.category:
        stmt = stmt.where(Product.category == filters.category)
    if filters.stranded_only:
        stmt = stmt.where(Product.stranded.is_(True))
    if filters.exclude_stranded:
        stmt = stmt.where(Product.stranded.is_(False))
    if filters.in_stock:
        stmt = stmt.where(Product.on_sale_clause(day))
    if filters.q:
        stmt = stmt.where(search_clause(filters.q))
    order = {
        "urgent": urgency_order(),
        "price": (Product.price.asc(), Product.id.asc()),
        "price_desc": (Product.price.desc(), Product.id.asc()),
        "newest": (Product.published_at.desc(), Product.id.desc()),
    }[filters.sort if filters.sort in SORTS else "urgent"]
    if first_county_id is not None:
        order = (case((Product.county_id == first_county_id, 0), else_=1), *order)
    stmt = stmt.order_by(*order)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.limit(filters.per_page).offset((max(filters.page, 1) - 1) * filters.per_page)
    ).all()
    return total, [(product, photo_id) for product, photo_id in rows]


def catalog_version(county: County | None) -> str:
    """A fingerprint that changes whenever anything a catalog shows changes (listing, price, stock, photo): the
    latest change of the county's products (products are never deleted), read from the end of an index, and
    which suppliers are not active (suspending or reinstating one takes its products off or back on)."""
    stmt = select(func.max(Product.updated_at), *_inactive_suppliers())
    if county is not None:
        stmt = stmt.where(Product.county_id == county.id)
    return _fingerprint(*db.session.execute(stmt).one())


def catalog_version_and_size() -> tuple[str, int]:
    """The `catalog_version` of every county and how many products are listed (published, supplier active), in
    one statement: what the all-counties catalog says when it is shared."""
    listed = func.count(case((Product.listed_clause(), Product.id)))
    row = db.session.execute(select(listed, func.max(Product.updated_at), *_inactive_suppliers())).one()
    return _fingerprint(*row[1:]), int(row[0])


def county_with_catalog_version(code: str) -> tuple[County, str, int]:
    """The county with this code, its `catalog_version` and how many of its products are listed (what its
    catalog says when it is shared), in one statement (a catalog visit that finds its list already rendered
    reads nothing else), or a 404. The number changes only with the version."""
    latest = (select(func.max(Product.updated_at)).where(Product.county_id == County.id)
              .correlate(County).scalar_subquery())
    listed = (select(func.count(Product.id)).where(Product.county_id == County.id, Product.listed_clause())
              .correlate(County).scalar_subquery())
    row = db.session.execute(
        select(County, listed, latest, *_inactive_suppliers()).where(County.code == code)).first()
    if row is None:
        abort(404)
    return row[0], _fingerprint(*row[2:]), int(row[1])


def _inactive_suppliers():
    """Columns that tell which suppliers are not active: their number and two sums of their ids (a set of ids
    that changes changes at least one of them in practice). Suppliers are few; an index serves the status."""
    inactive = (Organisation.kind == OrgKind.SUPPLIER) & (Organisation.status != OrgStatus.ACTIVE)
    ids = select(Organisation.id).where(inactive).subquery()
    return (
        select(func.count()).select_from(ids).scalar_subquery(),
        select(func.coalesce(func.sum(ids.c.id), 0)).scalar_subquery(),
        select(func.coalesce(func.sum(ids.c.id * ids.c.id), 0)).scalar_subquery(),
    )


def _fingerprint(latest: datetime | None, *suppliers) -> str:
    material = "|".join([latest.isoformat() if latest else "-", *(str(int(n or 0)) for n in suppliers)])
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def county_totals(day: date) -> list[dict]:
    """Per county: published products, of them stranded, products on sale, the value of stranded unsold
    stock (unsold quantity times price, in CNY) and households linked to stranded products."""
    stranded = Product.stranded.is_(True)
    on_sale = Product.on_sale_clause(day)
    # Stored as thousandths times fen: multiply the raw integers in SQL, scale once in Python.
    value = type_coerce(Product.unsold_quantity, BigInteger) * type_coerce(Product.price, BigInteger)
    stmt = (
        select(
            County,
            func.count(Product.id),
            func.count(case((stranded, Product.id))),
            func.count(case((on_sale, Product.id))),
            type_coerce(func.coalesce(func.sum(case((stranded, value), else_=literal(0))), 0), BigInteger),
            func.coalesce(func.sum(case((stranded, Product.households_linked), else_=literal(0))), 0),
        )
        .outerjoin(Product, (Product.county_id == County.id) & Product.listed_clause())
        .group_by(County.id)
        .order_by(County.sort_order, County.id)
    )
    rows = []
    for county, published, stranded_n, on_sale_n, value_raw, households in db.session.execute(stmt):
        rows.append({
            "county": county,
            "published": published,
            "stranded": stranded_n,
            "on_sale": on_sale_n,
            "stranded_value": (Decimal(int(value_raw)) / Decimal(100_000)).quantize(Decimal("0.01")),
            "households": int(households),
        })
    return rows


def supplier_products(supplier: Organisation) -> list[Product]:
    return list(db.session.scalars(
        select(Product).where(Product.supplier_id == supplier.id).order_by(Product.updated_at.desc(), Product.id)
    ))


def review_queue(county_id: int | None) -> list[Product]:
    """Listings awaiting review, oldest first; all counties when `county_id` is None (the city office)."""
    stmt = (
        select(Product).options(joinedload(Product.supplier)).where(Product.status == ListingStatus.SUBMITTED)
        .order_by(Product.submitted_at, Product.id)
    )
    if county_id is not None:
        stmt = stmt.where(Product.county_id == county_id)
    return list(db.session.scalars(stmt))


def ledger(product: Product) -> list[StockEntry]:
    return list(db.session.scalars(
        select(StockEntry).options(joinedload(StockEntry.actor)).where(StockEntry.product_id == product.id)
        .order_by(StockEntry.id.desc())
    ))


def county_products_for_survey(county_id: int) -> list[Product]:
    """Products of a county a survey row can point at (any status: the survey may precede the listing)."""
    return list(db.session.scalars(
        select(Product).options(joinedload(Product.supplier)).where(Product.county_id == county_id)
        .order_by(Product.name, Product.id)
    ))


def survey_rows(county_id: int, page: int = 1, per_page: int = 50):
    """The county's survey, newest survey date first."""
    stmt = (
        select(SurveyRow).where(SurveyRow.county_id == county_id)
        .order_by(SurveyRow.surveyed_on.desc(), SurveyRow.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def survey_totals(county_id: int) -> dict:
    """Rows, poor households involved and the latest survey date of a county's survey."""
    n, households, latest = db.session.execute(
        select(func.count(SurveyRow.id), func.coalesce(func.sum(SurveyRow.poor_households), 0),
               func.max(SurveyRow.surveyed_on)).where(SurveyRow.county_id == county_id)
    ).one()
    return {"rows": n, "households": int(households), "latest": latest}


def stranded_for_bulletin(county_id: int, day: date) -> list[Product]:
    """What a bulletin issue lists: the county's published, stranded products still on sale, most urgent first."""
    return list(db.session.scalars(
        select(Product).options(joinedload(Product.supplier))
        .where(Product.county_id == county_id, Product.stranded.is_(True), Product.on_sale_clause(day))
        .order_by(*urgency_order())
    ))


def product_with_supplier(product_id: int) -> Product | None:
    return db.session.scalar(
        select(Product).options(joinedload(Product.supplier), joinedload(Product.county))
        .where(Product.id == product_id)
    )


def product(product_id: int) -> Product | None:
    return db.session.get(Product, product_id)


def photo(photo_id: int, variant: str | None = None) -> ProductPhoto | None:
    """A product's photo; with its picture ("full") or thumbnail ("thumb") loaded, which are deferred."""
    stmt = select(ProductPhoto).where(ProductPhoto.id == photo_id)
    if variant is not None:
        stmt = stmt.options(undefer(ProductPhoto.data if variant == "full" else ProductPhoto.thumbnail))
    return db.session.scalar(stmt)
