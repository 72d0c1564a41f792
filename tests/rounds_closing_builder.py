"""A round built straight with the models, for the closing and hand-out tests (the sign-up operation is another
branch's): staff, products offered, sign-ups with their lines (`signed_quantity` kept equal to the sum of the lines,
as sign-ups keep it). The lead may swap these for the real `open_round`/`sign_up` at merge."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from market.types import utcnow
from tests import factories

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
PLACES = "机关一楼大厅\n二号楼会议室"


def staff(app, db, people, names, role="buyer_party") -> dict[str, int]:
    """Staff members of the unit of `people[role]`, by name: their ids."""
    with app.app_context():
        org = factories.user_by_email(db, people[role]).organisation
        made = {}
        for n, name in enumerate(names):
            user = factories.make_user(org, role="staff", name=name)
            user.department, user.phone = f"第{n + 1}科", f"138 0413 {n:04d}"
            made[name] = user.id
        db.session.commit()
        return made


def build_round(app, db, people, products, signups=(), *, role="buyer_party", closes_at=None, status="open",
                fairness="first_come", pickup_day=None, title="老城村小米接龙") -> int:
    """A round of the unit of `people[role]` offering `products` [(product id, price or None)]; `signups`
    [(user id, {product index: quantity}, place index, minutes after T0 queued)]. Returns its id."""
    from market.catalog.models import Product
    from market.rounds.models import PurchaseRound, RoundProduct, RoundSignup, SignupLine

    with app.app_context():
        manager = factories.user_by_email(db, people[role])
        purchase_round = PurchaseRound(
            organisation_id=manager.organisation_id, title=title, status=status,
            closes_at=closes_at or utcnow() + timedelta(days=1), pickup_places=PLACES,
            pickup_day=pickup_day or (utcnow() + timedelta(days=3)).date(), fairness=fairness,
            share_token=secrets.token_hex(8), created_by_id=manager.id)
        db.session.add(purchase_round)
        items = []
        for position, (product_id, price) in enumerate(products):
            product = db.session.get(Product, product_id)
            item = RoundProduct(product_id=product_id, position=position, product_name=product.name,
                                unit=product.unit, price=price or product.price, per_person_limit=Decimal(50),
                                signed_quantity=Decimal(0))
            purchase_round.products.append(item)
            items.append(item)
        db.session.flush()
        places = purchase_round.places
        for user_id, quantities, place, minutes in signups:
            signup = RoundSignup(user_id=user_id, pickup_place=places[place])
            for index, quantity in quantities.items():
                signup.lines.append(SignupLine(round_product_id=items[index].id, quantity=Decimal(str(quantity)),
                                               queued_at=T0 + timedelta(minutes=minutes)))
                items[index].signed_quantity += Decimal(str(quantity))
            purchase_round.signups.append(signup)
        db.session.commit()
        return purchase_round.id


def get_round(app, db, round_id):
    from market.rounds.models import PurchaseRound

    with app.app_context():
        purchase_round = db.session.get(PurchaseRound, round_id)
        db.session.expunge(purchase_round)
        return purchase_round


def granted(app, db, round_id) -> dict[tuple[int, int], tuple[Decimal, Decimal | None]]:
    """(user id, product id) → (asked, granted) of every line of the round."""
    from market.rounds.models import RoundProduct, RoundSignup, SignupLine

    with app.app_context():
        rows = db.session.execute(
            select(RoundSignup.user_id, RoundProduct.product_id, SignupLine.quantity, SignupLine.granted_quantity)
            .join(SignupLine, SignupLine.signup_id == RoundSignup.id)
            .join(RoundProduct, RoundProduct.id == SignupLine.round_product_id)
            .where(RoundSignup.round_id == round_id)).all()
        return {(user_id, product_id): (asked, got) for user_id, product_id, asked, got in rows}


def act(app, db, email, round_id, fn):
    """`fn(user, purchase_round)` as the person with `email`, committed (rolled back and re-raised on error)."""
    from market.rounds.models import PurchaseRound

    with app.app_context(), app.test_request_context("/"):
        user = factories.user_by_email(db, email)
        purchase_round = db.session.get(PurchaseRound, round_id)
        try:
            result = fn(user, purchase_round)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise


def today() -> date:
    from market.i18n import local_today

    return local_today()
