"""JSON shapes of the API's objects; money and quantities travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from market.catalog.models import Product
from market.orders.models import Order
from market.regions.models import County


def dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def county_json(county: County, systems: list) -> dict:
    return {"code": county.code, "name_zh": county.name_zh, "name_en": county.name_en, "kind": county.kind.value,
            "paired_systems": [s.value for s in systems]}


def product_json(product: Product, today: date) -> dict:
    return {
        "id": product.id,
        "name": product.name,
        "county": product.county.code,
        "supplier": {"id": product.supplier_id, "name": product.supplier.name},
        "category": product.category.value,
        "variety": product.variety,
        "specification": product.specification,
        "unit": product.unit.value,
        "price": dec(product.price),
        "min_order_quantity": dec(product.min_order_quantity),
        "unsold_quantity": dec(product.unsold_quantity),
        "households_linked": product.households_linked,
        "linkage_mode": product.linkage_mode.value if product.linkage_mode else None,
        "stranded": product.stranded,
        "stranded_since": day(product.stranded_since),
        "stranded_cause": product.stranded_cause,
        "available_from": day(product.available_from),
        "best_before": day(product.best_before),
        "shelf_life_days": product.shelf_life_days,
        "storage_note": product.storage_note,
        "identification_number": product.identification_number,
        "identification_valid_until": day(product.identification_valid_until),
        "status": product.status.value,
        "on_sale": product.on_sale_on(today),
        "updated_at": moment(product.updated_at),
    }


def order_json(order: Order) -> dict:
    return {
        "id": order.id,
        "reference": order.reference,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "counted": order.counted,
        "buyer": {"id": order.buyer_id, "name": order.buyer.name},
        "supplier": {"id": order.supplier_id, "name": order.supplier.name},
        "county": order.county.code,
        "paired": order.paired,
        "total_amount": dec(order.total_amount),
        "placed_at": moment(order.placed_at),
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "reject_reason": order.reject_reason,
        "cancel_reason": order.cancel_reason,
        "acceptance_note": order.acceptance_note,
        "rating": order.rating,
        "rating_comment": order.rating_comment,
        "lines": [
            {"product_id": line.product_id, "product_name": line.product_name, "unit": line.unit.value,
             "unit_price": dec(line.unit_price), "quantity": dec(line.quantity), "line_total": dec(line.line_total),
             "received_quantity": dec(line.received_quantity)}
            for line in order.lines
        ],
    }
