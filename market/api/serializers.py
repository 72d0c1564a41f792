"""JSON shapes of the API's objects, every one of them here; money and quantities travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from market.accounts.models import ApiToken, User
from market.agreements.models import Agreement
from market.catalog.models import Product, StockEntry
from market.delivery.models import DeliveryAddress
from market.invoices import queries as invoice_queries
from market.invoices.models import Invoice, InvoiceDetails
from market.orders.models import Order
from market.rounds.models import PurchaseRound
from market.shares.models import ReservedShare
from market.demands.models import Demand
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


#: The `invoice` of an order that did not ask for one.
NOT_REQUESTED = {"state": "not_requested", "details": None, "invoices": []}


def invoice_details_json(details) -> dict:
    """Saved details (InvoiceDetails, with `id`) or an order's copy of them (InvoiceRequest)."""
    data = {"title": details.title, "taxpayer_number": details.taxpayer_number,
            "address_phone": details.address_phone, "bank_account": details.bank_account, "kind": details.kind.value}
    return {"id": details.id, **data} if isinstance(details, InvoiceDetails) else data


def _invoice_json(invoice: Invoice) -> dict:
    return {"id": invoice.id, "number": invoice.number, "issued_on": day(invoice.issued_on),
            "amount": dec(invoice.amount), "kind": invoice.kind.value, "red_letter": invoice.red_letter,
            "original_id": invoice.original_id, "reason": invoice.reason, "collective": invoice.collective,
            "pdf": f"/invoices/{invoice.id}.pdf" if invoice.has_pdf else None}


def invoice_json(order: Order) -> dict:
    """The order's invoice: its state, the buyer's details as copied into the order, and the invoices recorded
    (ordinary and red-letter; red-letter amounts are taken off)."""
    request = order.invoice_request
    if request is None:
        return NOT_REQUESTED
    invoices = invoice_queries.invoices_of(order) if request.state.value == "issued" else []
    return {"state": request.state.value, "details": invoice_details_json(request),
            "invoices": [_invoice_json(invoice) for invoice in invoices]}


def order_json(order: Order, *, invoice: dict | None = None) -> dict:
    """`invoice`: the order's invoice when the caller knows it without asking (a placement just made)."""
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
        "delivery": {"address": order.delivery_address, "recipient": order.delivery_recipient,
                     "phone": order.delivery_phone, "instructions": order.delivery_instructions,
                     "requested_delivery_date": day(order.requested_delivery_date), "note": order.delivery_note,
                     "proposed_delivery_date": day(order.proposed_delivery_date)},
        "invoice": invoice if invoice is not None else invoice_json(order),
        "lines": [
            {"product_id": line.product_id, "product_name": line.product_name, "unit": line.unit.value,
             "unit_price": dec(line.unit_price), "quantity": dec(line.quantity), "line_total": dec(line.line_total),
             "received_quantity": dec(line.received_quantity)}
            for line in order.lines
        ],
    }


def delivery_address_json(address: DeliveryAddress) -> dict:
    return {"id": address.id, "place": address.place, "recipient": address.recipient, "phone": address.phone,
            "notes": address.notes}


def price_changes_json(changes: list) -> list[dict]:
    """The lines of `orders.operations.PriceChanged`: the price the buyer saw, today's, and today's unit."""
    return [{"product_id": product.id, "expected_unit_price": dec(seen), "unit_price": dec(now), "unit": unit.value}
            for product, seen, now, _unit_seen, unit in changes]


def token_json(token: ApiToken, raw: str, user: User) -> dict:
    """A token just issued (the raw token is in this answer only) and whom it acts as."""
    return {"token": raw, "expires_at": token.expires_at.isoformat(), "user": {
        "id": user.id, "email": user.email, "organisation": {"id": user.organisation_id,
                                                              "name": user.organisation.name,
                                                              "kind": user.organisation.kind.value}}}


def stock_entry_json(entry: StockEntry, product: Product) -> dict:
    return {"id": entry.id, "product_id": product.id, "delta": dec(entry.delta), "reason": entry.reason.value,
            "note": entry.note, "balance_after": dec(entry.balance_after),
            "unsold_quantity": dec(product.unsold_quantity)}


def reserved_share_json(decl: ReservedShare, progress: dict) -> dict:
    """A declaration with its progress (`shares.queries.share_progress`: reserved and bought, counted only; staff
    purchase rounds do not count toward the reserved share and are given beside)."""
    return {"buyer": {"id": decl.buyer_id, "name": decl.buyer.name}, "year": decl.year,
            "canteen_mode": decl.canteen_mode.value, "canteen_spending": dec(decl.canteen_spending),
            "share_percent": dec(decl.share_percent), "reserved_amount": dec(progress["reserved"]),
            "counted_amount": dec(progress["bought"]), "staff_purchases_amount": dec(progress["staff"]),
            "covered_units": [u.id for u in decl.covered_units]}


def totals_json(result: dict, by: str) -> dict:
    """`reports.queries.totals` grouped `by`, with the note on what counts."""
    return {"items": [dict(item, amount=dec(item["amount"])) for item in result["items"]],
            "total_amount": dec(result["total_amount"]), "by": by,
            "note": _("Totals count an order only once it is paid and accepted by the buyer.")}


def agreement_json(agreement: Agreement) -> dict:
    """An agreement with the terms in force (or, before any, the latest version's)."""
    version = agreement.in_force or agreement.latest
    return {
        "id": agreement.id, "status": agreement.status.value,
        "buyer": {"id": agreement.buyer_id, "name": agreement.buyer.name},
        "supplier": {"id": agreement.supplier_id, "name": agreement.supplier.name},
        "version": version.number, "schedule_kind": version.schedule_kind.value,
        "weekdays": version.weekday_list, "month_day": version.month_day,
        "start_date": version.start_date.isoformat(), "end_date": version.end_date.isoformat(),
        "delivery_place": version.delivery_place,
        "lines": [{"product_id": line.product_id, "product_name": line.product_name, "unit": line.unit.value,
                   "quantity": dec(line.quantity), "unit_price": dec(line.unit_price)} for line in version.lines],
    }


def demand_json(d: Demand) -> dict:
    return {"id": d.id, "buyer": {"id": d.buyer_id, "name": d.buyer.name}, "product_name": d.product_name,
            "category": d.category.value if d.category else None, "quantity": dec(d.quantity),
            "unit": d.unit.value, "wanted_by": d.wanted_by.isoformat(),
            "expected_price": dec(d.expected_price), "delivery_place": d.delivery_place, "status": d.status.value}


def pledge_json(row, today: date) -> dict:
    """A row of `pledges.queries.pledges_with_progress`: the pledge, what counted orders fulfilled, overdue?"""
    pledge = row.pledge
    return {"id": pledge.id, "firm": {"id": pledge.firm_id, "name": pledge.firm.name},
            "amount": dec(pledge.amount), "mode": pledge.mode.value, "status": pledge.status.value,
            "start_date": pledge.start_date.isoformat(), "end_date": pledge.end_date.isoformat(),
            "county": pledge.county.code if pledge.county else None,
            "category": pledge.category.value if pledge.category else None,
            "fulfilled": dec(row.fulfilled), "percent": dec(row.percent), "overdue": row.overdue(today)}


def round_json(purchase_round: PurchaseRound, now: datetime) -> dict:
    """A purchase round as the API shows it to the people of its unit (`status` as they see it: an open round past
    its closing time is `closed`)."""
    return {
        "id": purchase_round.id, "title": purchase_round.title, "status": purchase_round.status_at(now).value,
        "closes_at": moment(purchase_round.closes_at), "pickup_day": day(purchase_round.pickup_day),
        "pickup_places": purchase_round.places, "payment_mode": purchase_round.payment_mode.value,
        "products": [{"product_id": item.product_id, "name": item.product_name, "unit": item.unit.value,
                      "price": dec(item.price), "per_person_limit": dec(item.per_person_limit),
                      "signed_quantity": dec(item.signed_quantity)} for item in purchase_round.products],
        "orders": ([order.reference for order in purchase_round.bulk_order.orders]
                   if purchase_round.bulk_order is not None else []),
    }
