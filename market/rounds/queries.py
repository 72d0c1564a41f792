"""Reads of purchase rounds: a unit's rounds, one round with its products and sign-ups (eager-loaded), a
person's own sign-ups, the running list of who signed up for what (named as the unit chose) and the products a
round may offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, false, or_, select
from sqlalchemy.orm import selectinload

from market.accounts.models import Organisation, User
from market.catalog.models import Product
from market.extensions import db
from market.i18n import local_today
from market.orders.models import BulkOrder
from market.pairing import queries as pairing
from market.rounds.models import (NameDisplay, PurchaseRound, RoundProduct, RoundSignup, RoundStatus, SharePayment,
                                  SignupLine)

#: How many candidate products the opening form lists at most (a search narrows them).
MAX_CANDIDATES = 60


def _with_orders():
    return selectinload(PurchaseRound.bulk_order).selectinload(BulkOrder.orders)


def rounds_of(organisation_id: int, now: datetime) -> list[PurchaseRound]:
    """The unit's rounds: those open for sign-ups first, then the others, newest first within each."""
    rounds = list(db.session.scalars(
        select(PurchaseRound).where(PurchaseRound.organisation_id == organisation_id)
        .options(selectinload(PurchaseRound.products), _with_orders())
        .order_by(PurchaseRound.created_at.desc(), PurchaseRound.id.desc())))
    return sorted(rounds, key=lambda r: r.status_at(now) != RoundStatus.OPEN)


def round_detail(round_id: int) -> PurchaseRound | None:
    """One round with its products (and their photos), its sign-ups, their people and lines: no query per row."""
    return db.session.scalar(
        select(PurchaseRound).where(PurchaseRound.id == round_id)
        .options(selectinload(PurchaseRound.products).selectinload(RoundProduct.product)
                 .selectinload(Product.photos),
                 selectinload(PurchaseRound.signups).selectinload(RoundSignup.user),
                 selectinload(PurchaseRound.signups).selectinload(RoundSignup.lines)
                 .selectinload(SignupLine.round_product),
                 selectinload(PurchaseRound.organisation), _with_orders()))


def round_by_token(token: str) -> PurchaseRound | None:
    if not token or len(token) > 32:
        return None
    return db.session.scalar(select(PurchaseRound).where(PurchaseRound.share_token == token))


def own_signup(purchase_round: PurchaseRound, user: User) -> RoundSignup | None:
    """The person's sign-up among the round's (loaded with it)."""
    return next((signup for signup in purchase_round.signups if signup.user_id == user.id), None)


def signups_of(user: User, round_ids: list[int]) -> dict[int, RoundSignup]:
    """The person's own sign-ups to these rounds, by round id, with their lines."""
    if not round_ids:
        return {}
    signups = db.session.scalars(
        select(RoundSignup).where(RoundSignup.user_id == user.id, RoundSignup.round_id.in_(round_ids))
        .options(selectinload(RoundSignup.lines).selectinload(SignupLine.round_product)))
    return {signup.round_id: signup for signup in signups}


def signup_amount(signup: RoundSignup | None) -> Decimal:
    """What the person owes for the sign-up (the granted quantities once the round was ordered)."""
    return sum((line.amount for line in signup.lines), Decimal("0.00")) if signup else Decimal("0.00")


def _is_chinese(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def shown_name(name: str, display: NameDisplay, number: int) -> str:
    """A colleague's name as the unit chose to show it: in full; the surname only (张**, or the first word of a
    Latin name); or hidden ("Colleague 3", numbered by order of signing up)."""
    name = (name or "").strip()
    if display == NameDisplay.FULL and name:
        return name
    if display == NameDisplay.SURNAME and name:
        return name[0] + "**" if _is_chinese(name[0]) else name.split()[0]
    return _("Colleague %(n)s", n=number)


@dataclass
class ListedSignup:
    """One row of the running list: who (as shown), their place, and what they asked for."""

    name: str
    mine: bool
    pickup_place: str
    lines: list[SignupLine]


def running_list(purchase_round: PurchaseRound, viewer: User) -> list[ListedSignup]:
    """Who signed up for what, in order of signing up; the viewer sees their own name in full."""
    rows = []
    for number, signup in enumerate(sorted(purchase_round.signups, key=lambda s: (s.created_at, s.id)), 1):
        mine = signup.user_id == viewer.id
        name = signup.user.name if mine else shown_name(signup.user.name, purchase_round.name_display, number)
        rows.append(ListedSignup(name=name, mine=mine, pickup_place=signup.pickup_place, lines=signup.lines))
    return rows


def left_of(item: RoundProduct) -> Decimal:
    """How much of the product is still to be had in the round: its unsold quantity less what was signed for."""
    return max(Decimal("0"), item.product.unsold_quantity - item.signed_quantity)


def _village_ids(org: Organisation) -> list[int]:
    village = pairing.paired_village(org) if org.village_id is None else None
    return [v for v in (org.village_id, village.id if village else None) if v is not None]


def candidate_products(org: Organisation, search: str | None = None) -> list[tuple[Product, str | None]]:
    """Products a round may offer (listed and on sale, not the unit's own), with why they come first: "village"
    (grown in the unit's assisted village, or by a supplier of it), "county" (of its paired county) or None;
    each group by name. At most MAX_CANDIDATES; `search` narrows by name, variety or supplier."""
    today = local_today()
    villages = _village_ids(org)
    paired = pairing.county_id_for_buyer(org, today)
    county_id = db.session.scalar(select(paired)) if paired is not None else None
    of_village = or_(Product.village_id.in_(villages), Product.supplier_id.in_(
        select(Organisation.id).where(Organisation.village_id.in_(villages)))) if villages else false()
    of_county = Product.county_id == county_id if county_id is not None else false()
    rank = case((of_village, 0), (of_county, 1), else_=2)
    statement = (select(Product, rank).where(Product.on_sale_clause(today), Product.supplier_id != org.id)
                 .order_by(rank, Product.name, Product.id).limit(MAX_CANDIDATES))
    words = (search or "").strip().lower()[:60]
    if words:
        statement = statement.where(Product.search_text.contains(words, autoescape=True))
    marks = {0: "village", 1: "county", 2: None}
    return [(product, marks[n]) for product, n in db.session.execute(statement)]


@dataclass
class ProductTotal:
    item: RoundProduct
    quantity: Decimal
    amount: Decimal
    people: int


def product_totals(purchase_round: PurchaseRound) -> list[ProductTotal]:
    """Per product of the round: what its sign-ups ask (granted, once ordered), its amount and how many asked."""
    totals = {item.id: ProductTotal(item, Decimal("0"), Decimal("0.00"), 0) for item in purchase_round.products}
    for signup in purchase_round.signups:
        for line in signup.lines:
            total = totals[line.round_product_id]
            total.quantity += line.handed_quantity
            total.amount += line.amount
            total.people += 1
    return list(totals.values())


def staff_home(user: User, now: datetime) -> dict:
    """A staff member's home: the unit's open rounds with their own sign-ups (`open_rounds`), and the closed,
    ordered or delivered rounds they signed up for (`past`: the round and their sign-up, to collect and pay)."""
    rounds = rounds_of(user.organisation_id, now)
    mine = signups_of(user, [r.id for r in rounds])
    open_rounds = [(r, mine.get(r.id)) for r in rounds if r.status_at(now) == RoundStatus.OPEN]
    past = [(r, mine[r.id]) for r in rounds if r.status_at(now) != RoundStatus.OPEN and r.id in mine]
    return {"open_rounds": open_rounds, "past": past}


def signup_by_id(signup_id: int) -> RoundSignup | None:
    return db.session.get(RoundSignup, signup_id)


def share_payments_of(signup: RoundSignup) -> list[SharePayment]:
    """The sign-up's online payments of its share, newest first."""
    return list(db.session.scalars(select(SharePayment).where(SharePayment.signup_id == signup.id)
                                   .order_by(SharePayment.id.desc())))
