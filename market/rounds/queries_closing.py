"""Reads for closing and handing out rounds: a round with what its pages show, and the round a staff-round order
came from."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from market.accounts.models import User
from market.extensions import db
from market.orders.models import BulkOrder, Order
from market.rounds.models import PurchaseRound, RoundProduct, RoundSignup, SignupLine
from market.rounds.planning import Cut


def round_of(round_id: int) -> PurchaseRound | None:
    return db.session.scalar(select(PurchaseRound).where(PurchaseRound.id == round_id).options(
        selectinload(PurchaseRound.products), selectinload(PurchaseRound.bulk_order).selectinload(BulkOrder.orders)))


def round_of_order(order: Order) -> PurchaseRound | None:
    """The staff purchase round whose order this is (None for any other order)."""
    return db.session.scalar(select(PurchaseRound).where(PurchaseRound.bulk_order_id == order.bulk_order_id))


def granted_cuts(purchase_round: PurchaseRound) -> list[Cut]:
    """Who got less than they asked in the round's order, as written when it was placed."""
    rows = db.session.execute(
        select(User.id, User.name, RoundProduct.product_id, RoundProduct.product_name, RoundProduct.unit,
               RoundProduct.price, SignupLine.quantity, SignupLine.granted_quantity)
        .join(RoundSignup, RoundSignup.user_id == User.id).join(SignupLine, SignupLine.signup_id == RoundSignup.id)
        .join(RoundProduct, RoundProduct.id == SignupLine.round_product_id)
        .where(RoundSignup.round_id == purchase_round.id, SignupLine.granted_quantity < SignupLine.quantity)
        .order_by(RoundProduct.position, RoundProduct.id, SignupLine.queued_at, SignupLine.id)).all()
    return [Cut(user_id, name, product_id, product_name, unit, asked, granted,
                (price * (asked - granted)).quantize(Decimal("0.01")))
            for user_id, name, product_id, product_name, unit, price, asked, granted in rows]
