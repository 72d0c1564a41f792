"""Human names of the enum values of products and stock, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.catalog.models import Category, LinkageMode, ListingStatus, Product, StockReason, SurveyRow, Unit
from market.labels import register_labels

register_labels(Category, {
    Category.GRAIN_OIL: _l("Grain and oil"),
    Category.VEGETABLES: _l("Vegetables"),
    Category.FRUIT: _l("Fruit"),
    Category.EDIBLE_FUNGI: _l("Edible fungi"),
    Category.FOREST_MOUNTAIN: _l("Forest and mountain produce"),
    Category.LIVESTOCK: _l("Livestock, poultry and eggs"),
    Category.AQUATIC: _l("Aquatic products"),
    Category.MEDICINAL_HERBS: _l("Medicinal herbs"),
    Category.PROCESSED_FOOD: _l("Processed food"),
    Category.OTHER: _l("Other"),
})

register_labels(Unit, {
    Unit.KG: _l("kg"),
    Unit.JIN: _l("jin"),
    Unit.TON: _l("tonne"),
    Unit.BOX: _l("box"),
    Unit.BAG: _l("bag"),
    Unit.PIECE: _l("piece"),
    Unit.BOTTLE: _l("bottle"),
    Unit.BUNDLE: _l("bundle"),
})

register_labels(LinkageMode, {
    LinkageMode.WAGE: _l("Wages (households work for it)"),
    LinkageMode.ASSET: _l("Assets (households hold shares)"),
    LinkageMode.OPERATING_INCOME: _l("Operating income (households grow and sell it)"),
})

register_labels(ListingStatus, {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.SUBMITTED: _l("Awaiting review"),
    ListingStatus.PUBLISHED: _l("Published"),
    ListingStatus.RETURNED: _l("Returned"),
})

register_labels(StockReason, {
    StockReason.SURVEY: _l("Survey"),
    StockReason.RESTOCK: _l("Restock"),
    StockReason.ORDER_RESERVED: _l("Reserved by order"),
    StockReason.ORDER_RELEASED: _l("Released by order"),
    StockReason.SPOILAGE: _l("Spoilage write-off"),
    StockReason.CORRECTION: _l("Correction"),
})

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Product, _l("Product"), name=lambda product: product.name,
    url=lambda product: url_for("catalog.product", product_id=product.id),
    actions={"create": _l("listed a product"), "update": _l("changed a product"),
             "stock": _l("moved a product's stock")},
    fields={"status": (_l("Status"), ListingStatus), "price": (_l("Price"), "money"),
            "unsold_quantity": (_l("Unsold quantity"), "quantity"), "name": (_l("Name"),),
            "unit": (_l("Unit"), Unit), "reason": (_l("Reason"), StockReason)})

register_kind(
    SurveyRow, _l("Survey row"), name=lambda row: row.product_name,
    actions={"create": _l("recorded stranded produce in a survey"), "update": _l("changed a survey row")},
    fields={"unsold_quantity": (_l("Unsold quantity"), "quantity"), "product_id": (_l("Product"), Product)})
