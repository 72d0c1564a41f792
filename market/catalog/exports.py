"""A county's catalog as a file: CSV and XLSX with every column, PDF to print and hand round.

Called inside a request: headers, labels and the county's name come out in the current language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from market.catalog.models import Product
from market.exports import MONEY_FORMAT, QUANTITY_FORMAT, csv_bytes, pdf_table_document, xlsx_bytes
from market.i18n import DEFAULT_LOCALE, is_english, localized_name, money
from market.labels import label
from market.regions.models import County
from market.sharing import page_url

#: Columns of the CSV and XLSX files, in order; `catalog_rows` fills them.
CATALOG_COLUMNS = (
    _l("Product ID"),
    _l("Name"),
    _l("Variety"),
    _l("Category"),
    _l("Specification"),
    _l("Unit"),
    _l("Price (CNY)"),
    _l("Minimum order quantity"),
    _l("Unsold quantity"),
    _l("Households linked"),
    _l("Linkage mode"),
    _l("Stranded"),
    _l("Stranded since"),
    _l("Stranded cause"),
    _l("Best before"),
    _l("Identification number"),
    _l("Identification valid until"),
    _l("Supplier"),
    _l("On sale"),
)
PRICE_COLUMN, MIN_ORDER_COLUMN, UNSOLD_COLUMN = 6, 7, 8

#: Columns of the printed catalog: fewer and merged, so a landscape A4 page holds them; widths in points.
PDF_COLUMNS = (
    (_l("Name"), 85),
    (_l("Variety"), 55),
    (_l("Category"), 55),
    (_l("Specification"), 75),
    (_l("Price"), 65),
    (_l("Minimum order"), 55),
    (_l("Unsold quantity"), 60),
    (_l("Households linked"), 45),
    (_l("Stranded"), 80),
    (_l("Best before"), 55),
    (_l("Identification"), 75),
    (_l("Supplier"), 85),
)


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _row(product: Product) -> list:
    return [
        product.id,
        product.name,
        product.variety,
        label(product.category),
        product.specification,
        label(product.unit),
        product.price,
        product.min_order_quantity,
        product.unsold_quantity,
        product.households_linked,
        label(product.linkage_mode),
        _yes_no(product.stranded),
        product.stranded_since,
        product.stranded_cause,
        product.best_before,
        product.identification_number,
        product.identification_valid_until,
        product.supplier.name,
        _yes_no(product.on_sale),
    ]


def catalog_rows(products: Sequence[Product], *, english: bool) -> tuple[list[str], list[list]]:
    """Header and rows for the CSV and XLSX files, in English or Chinese.

    Cells keep their types (Decimal prices and quantities, dates, int) so each format writes them its own way;
    only labels and yes/no are words. Each product's `supplier` should be loaded with it.
    """
    with force_locale("en" if english else DEFAULT_LOCALE):
        header = [str(column) for column in CATALOG_COLUMNS]
        rows = [_row(product) for product in products]
    return header, rows


def catalog_title(county: County) -> str:
    return gettext("%(county)s poverty-alleviation produce catalog", county=localized_name(county))


def catalog_csv(county: County, products: Sequence[Product]) -> bytes:
    """The whole catalog, one product a line; `county` is unused but kept so every format is called alike."""
    header, rows = catalog_rows(products, english=is_english())
    return csv_bytes(header, rows)


def catalog_xlsx(county: County, products: Sequence[Product]) -> bytes:
    header, rows = catalog_rows(products, english=is_english())
    formats = {PRICE_COLUMN: MONEY_FORMAT, MIN_ORDER_COLUMN: QUANTITY_FORMAT, UNSOLD_COLUMN: QUANTITY_FORMAT}
    return xlsx_bytes(catalog_title(county), header, rows, sheet_title=localized_name(county), formats=formats)


def catalog_pdf(county: County, products: Sequence[Product], *, generated_on: date) -> bytes:
    """The printed catalog, with the date the unsold quantities hold for, what totals count, and the QR code of
    the catalog's page (its current figures)."""
    subtitle = [
        gettext("Unsold quantities as of %(date)s", date=generated_on.isoformat()),
        ngettext("%(num)s product", "%(num)s products", len(products)),
    ]
    footer = gettext(
        "Unsold quantities as of the date above; totals count an order only once it is paid and accepted."
    )
    return pdf_table_document(
        catalog_title(county), subtitle, [str(name) for name, _ in PDF_COLUMNS],
        [_pdf_row(product) for product in products],
        col_widths=[width for _, width in PDF_COLUMNS], footer=footer,
        qr=(page_url("catalog.county", code=county.code), gettext("Scan to open this page")),
    )


def _quantity(value: Decimal, product: Product) -> str:
    """"1,200.5 kg": stored thousandths are exact, trailing zeros only clutter a printed page."""
    return f"{value.normalize():,f} {label(product.unit)}"


def _pdf_row(product: Product) -> list[str]:
    return [
        product.name,
        product.variety or "",
        label(product.category),
        product.specification or "",
        f"{money(product.price)} / {label(product.unit)}",
        _quantity(product.min_order_quantity, product),
        _quantity(product.unsold_quantity, product),
        str(product.households_linked),
        _stranded_cell(product),
        product.best_before.isoformat() if product.best_before else "",
        _identification_cell(product),
        product.supplier.name,
    ]


def _stranded_cell(product: Product) -> str:
    if not product.stranded:
        return gettext("No")
    since = gettext("since %(date)s", date=product.stranded_since.isoformat()) if product.stranded_since else ""
    return "\n".join(part for part in (since or gettext("Yes"), product.stranded_cause) if part)


def _identification_cell(product: Product) -> str:
    if not product.identification_number:
        return ""
    if product.identification_valid_until is None:
        return product.identification_number
    until = gettext("valid until %(date)s", date=product.identification_valid_until.isoformat())
    return f"{product.identification_number}\n{until}"
