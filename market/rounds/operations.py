"""Writes of purchase rounds: a unit's manager opens one, its people sign up, change and withdraw until it closes.
Functions flush, never commit (closing and the hand-out are `market.rounds.closing` and `handout`).

A sign-up first touches the round's row with a conditional UPDATE that holds only while the round is open: a
concurrent close updates the same row, so the two take turns and no sign-up slips in after closing or is lost.
The total signed for a product then moves by one conditional UPDATE that keeps it within the product's unsold
quantity, so sign-ups for the last units never promise more than there is."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from market import rules
from market.accounts.models import OrgKind, OrgStatus, Role, User
from market.catalog.models import Product
from market.extensions import db
from market.i18n import SHANGHAI, local_today, quantity as shown_quantity
from market.labels import label
from market.rounds import notices
from market.rounds.models import (
    Fairness,
    NameDisplay,
    PaymentMode,
    PurchaseRound,
    RoundProduct,
    RoundSignup,
    RoundStatus,
    SignupLine,
)
from market.rounds.rules import RoundClosed, RoundError
from market.types import utcnow

TITLE_LIMIT = 120
NOTE_LIMIT = 2000
PLACE_LIMIT = 300
MAX_PLACES = 10
MAX_PRODUCTS = 20
#: A round runs at most this long: past it, a closing time is a typing mistake.
MAX_OPEN_DAYS = 90
#: A share token as `secrets.token_urlsafe` writes it (the opening form carries one).
SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")
#: The kinds of organisation that buy, and so may run rounds for their people.
RUNNING_KINDS = (OrgKind.BUYER, OrgKind.FIRM)


@dataclass(frozen=True)
class RoundItem:
    """A product offered in a round being opened, with what one person may sign up for at most."""

    product_id: int
    per_person_limit: object


@dataclass(frozen=True)
class SignupRequest:
    """One line of a sign-up: a product of the round and the quantity asked (0 drops the line)."""

    product_id: int
    quantity: object


def _quantity(value, what: str, field: str, *, allow_zero: bool = False) -> Decimal:
    """`rules.quantity`, its refusal naming the form's field."""
    try:
        return rules.quantity(value, what, allow_zero=allow_zero)
    except rules.RuleError as error:
        raise RoundError(error.message, field) from None


def _choice(enum_type: type[enum.Enum], value, field: str):
    try:
        return enum_type(value)
    except ValueError:
        raise RoundError(_("Choose one of the options."), field) from None


def closing_moment(value, now: datetime) -> datetime:
    """The closing time in UTC: a datetime (naive ones are Asia/Shanghai local time, as typed) or
    "YYYY-MM-DDTHH:MM" local text; in the future and within MAX_OPEN_DAYS."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace(" ", "T"))
        except ValueError:
            raise RoundError(_("A closing date and time written YYYY-MM-DD HH:MM."), "closes_at") from None
    if not isinstance(value, datetime):
        raise RoundError(_("Enter the closing date and time."), "closes_at")
    moment = (value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value).astimezone(UTC)
    if moment <= now:
        raise RoundError(_("The closing time must be in the future."), "closes_at")
    if moment > now + timedelta(days=MAX_OPEN_DAYS):
        raise RoundError(_("A round stays open at most %(n)s days.", n=MAX_OPEN_DAYS), "closes_at")
    return moment


def read_places(value) -> list[str]:
    """One to MAX_PLACES pick-up places, one per line (a list from code), each at most PLACE_LIMIT characters."""
    lines = value if isinstance(value, list) else (rules.text(value, MAX_PLACES * (PLACE_LIMIT + 2), "pickup_places")
                                                   or "").splitlines()
    places = []
    for line in lines:
        place = rules.text(line, PLACE_LIMIT, "pickup_places")
        if place and place not in places:
            places.append(place)
    if not places:
        raise RoundError(_("Enter at least one pick-up place."), "pickup_places")
    if len(places) > MAX_PLACES:
        raise RoundError(_("At most %(n)s pick-up places, one per line.", n=MAX_PLACES), "pickup_places")
    return places


def _offered(org, items: list[RoundItem], today) -> list[tuple[Product, Decimal]]:
    if not items:
        raise RoundError(_("Choose at least one product."), "products")
    if len(items) > MAX_PRODUCTS:
        raise RoundError(_("A round offers at most %(n)s products.", n=MAX_PRODUCTS), "products")
    ids = [item.product_id for item in items]
    if len(set(ids)) != len(ids):
        raise RoundError(_("Each product may appear only once in a round."), "products")
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    offered = []
    for item in items:
        product = products.get(item.product_id)
        if product is None or not product.listed:
            raise RoundError(_("This product does not exist."), "products")
        if not product.on_sale_on(today):
            raise RoundError(_("%(name)s is not on sale.", name=product.name), "products")
        if product.supplier_id == org.id:
            raise RoundError(_("You cannot order your own product."), "products")
        limit = _quantity(item.per_person_limit, _("the per-person limit of %(name)s", name=product.name),
                          "products")
        offered.append((product, limit))
    return offered


def _opened_with(token: str | None, user: User) -> PurchaseRound | None:
    """The round this person already opened with the form carrying `token` (a double click), if any."""
    if token is None:
        return None
    if not isinstance(token, str) or not SHARE_TOKEN.fullmatch(token):
        raise RoundError(_("The form has expired. Reload the page and try again."))
    existing = db.session.scalar(select(PurchaseRound).where(PurchaseRound.share_token == token))
    if existing is not None and existing.created_by_id != user.id:
        raise RoundError(_("The form has expired. Reload the page and try again."))
    return existing


def open_round(user: User, *, title, note, closes_at, pickup_places: str | list[str], pickup_day, payment_mode,
               name_display, fairness, items: list[RoundItem], now: datetime | None = None,
               share_token: str | None = None) -> PurchaseRound:
    """A manager of an active buying unit opens a round of listed products at their price of the moment.

    `share_token`, when given, is the one the opening form carried: the same form posted twice (a double click)
    opens one round, the second post answering the first's."""
    now = now or utcnow()
    org = user.organisation
    if org.kind not in RUNNING_KINDS or org.status != OrgStatus.ACTIVE or not user.is_manager:
        raise RoundError(_("Only a manager of an approved buying unit can open a staff purchase round."))
    existing = _opened_with(share_token, user)
    if existing is not None:
        return existing
    title = rules.text(title, TITLE_LIMIT, "title", required=_("Enter a title."))
    note = rules.text(note, NOTE_LIMIT, "note")
    closes = closing_moment(closes_at, now)
    places = read_places(pickup_places)
    day = rules.day(pickup_day, "pickup_day")
    if day is None:
        raise RoundError(_("Enter the pick-up day."), "pickup_day")
    if day < closes.astimezone(SHANGHAI).date():
        raise RoundError(_("The pick-up day cannot come before the closing day."), "pickup_day")
    purchase_round = PurchaseRound(
        organisation_id=org.id, title=title, note=note, status=RoundStatus.OPEN, closes_at=closes,
        pickup_places="\n".join(places), pickup_day=day, payment_mode=_choice(PaymentMode, payment_mode,
                                                                               "payment_mode"),
        name_display=_choice(NameDisplay, name_display, "name_display"),
        fairness=_choice(Fairness, fairness, "fairness"), share_token=share_token or secrets.token_urlsafe(16),
        created_by_id=user.id, created_at=now, updated_at=now)
    for position, (product, limit) in enumerate(_offered(org, items, local_today())):
        purchase_round.products.append(RoundProduct(
            product_id=product.id, position=position, product_name=product.name, unit=product.unit,
            price=product.price, per_person_limit=limit, signed_quantity=Decimal("0")))
    try:
        with db.session.begin_nested():  # the audit entry ("opened a staff purchase round") is written by its flush
            db.session.add(purchase_round)
    except IntegrityError:  # the same form, posted at the same moment, opened it first
        return _opened_with(share_token, user) or _raise_expired()
    notices.round_opened(purchase_round)
    return purchase_round


def _raise_expired():
    raise RoundError(_("The form has expired. Reload the page and try again."))


def may_sign_up(user: User, purchase_round: PurchaseRound) -> bool:
    """The people of the round's unit sign up (staff, members, managers); a canteen's contractor does not."""
    return user.organisation_id == purchase_round.organisation_id and user.role in (
        Role.STAFF, Role.MEMBER, Role.MANAGER)


def _take_open_round(purchase_round: PurchaseRound, now: datetime) -> None:
    """The conditional UPDATE every sign-up starts with (see the module's docstring); RoundClosed if it is not
    open any more. It holds the round's row (PostgreSQL) or the write lock (SQLite) until the commit."""
    result = db.session.execute(
        update(PurchaseRound)
        .where(PurchaseRound.id == purchase_round.id, PurchaseRound.status == RoundStatus.OPEN,
               PurchaseRound.closes_at > now)
        .values(updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RoundClosed()
    set_committed_value(purchase_round, "updated_at", now)


def _wanted(purchase_round: PurchaseRound, lines: list[SignupRequest]) -> dict[int, Decimal]:
    """round product id -> quantity asked (more than zero), each within its per-person limit."""
    by_product = {item.product_id: item for item in purchase_round.products}
    wanted: dict[int, Decimal] = {}
    seen = set()
    for line in lines:
        item = by_product.get(line.product_id)
        if item is None:
            raise RoundError(_("This product is not offered in this round."), "lines")
        if line.product_id in seen:
            raise RoundError(_("Each product may appear only once in a sign-up."), "lines")
        seen.add(line.product_id)
        qty = _quantity(line.quantity, _("the quantity of %(name)s", name=item.product_name), "lines",
                        allow_zero=True)
        if qty > item.per_person_limit:
            raise RoundError(_("At most %(limit)s %(unit)s of %(name)s per person.",
                               limit=shown_quantity(item.per_person_limit), unit=label(item.unit),
                               name=item.product_name), "lines")
        if qty:
            wanted[item.id] = qty
    return wanted


def _move_signed(item: RoundProduct, delta: Decimal, mine_before: Decimal) -> None:
    """Move what all sign-ups ask of the product by `delta`, never past its unsold quantity (a decrease always
    goes through); RoundError naming what is left otherwise."""
    statement = update(RoundProduct).where(RoundProduct.id == item.id)
    if delta > 0:
        unsold = select(Product.unsold_quantity).where(Product.id == RoundProduct.product_id).scalar_subquery()
        statement = statement.where(RoundProduct.signed_quantity + delta <= unsold)
    result = db.session.execute(statement.values(signed_quantity=RoundProduct.signed_quantity + delta)
                                .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        db.session.expire(item, ["signed_quantity"])
        return
    unsold, signed = db.session.execute(
        select(Product.unsold_quantity, RoundProduct.signed_quantity).join(Product, Product.id ==
                                                                           RoundProduct.product_id)
        .where(RoundProduct.id == item.id)).one()
    left = max(Decimal("0"), unsold - signed + mine_before)
    raise RoundError(_("Only %(left)s %(unit)s of %(name)s are left.", left=shown_quantity(left),
                       unit=label(item.unit), name=item.product_name), "lines")


def _signup_of(purchase_round: PurchaseRound, user: User) -> RoundSignup | None:
    """The person's sign-up as it is now (read after the round's row was taken, so it is current)."""
    return db.session.scalar(
        select(RoundSignup).where(RoundSignup.round_id == purchase_round.id, RoundSignup.user_id == user.id)
        .options(selectinload(RoundSignup.lines)).execution_options(populate_existing=True))


def sign_up(user: User, purchase_round: PurchaseRound, lines: list[SignupRequest], *,
            pickup_place: str | None = None, now: datetime | None = None) -> tuple[RoundSignup | None, bool]:
    """Replace the person's sign-up with `lines` (no line with a quantity: withdraw); (sign-up, created?)."""
    now = now or utcnow()
    if not may_sign_up(user, purchase_round):
        raise RoundError(_("Only the people of the unit running this round can sign up."))
    _take_open_round(purchase_round, now)
    wanted = _wanted(purchase_round, lines)
    signup = _signup_of(purchase_round, user)
    before = {line.round_product_id: line.quantity for line in signup.lines} if signup else {}
    place = _place(purchase_round, pickup_place, signup) if wanted else None
    items = {item.id: item for item in purchase_round.products}
    for item_id in sorted(set(wanted) | set(before)):  # one order of row locks for everyone: no deadlock
        delta = wanted.get(item_id, Decimal("0")) - before.get(item_id, Decimal("0"))
        if delta:
            _move_signed(items[item_id], delta, before.get(item_id, Decimal("0")))
    db.session.expire(purchase_round, ["signups"])
    if not wanted:
        if signup is not None:
            db.session.delete(signup)
            db.session.flush()
        return None, False
    created = signup is None
    if created:
        signup = RoundSignup(round_id=purchase_round.id, user_id=user.id, pickup_place=place, created_at=now,
                             updated_at=now)
        db.session.add(signup)
    else:
        signup.pickup_place, signup.updated_at = place, now
    _replace_lines(signup, wanted, now)
    db.session.flush()
    return signup, created


def _place(purchase_round: PurchaseRound, pickup_place: str | None, signup: RoundSignup | None) -> str:
    places = purchase_round.places
    if pickup_place is None or not str(pickup_place).strip():
        return signup.pickup_place if signup is not None and signup.pickup_place in places else places[0]
    place = str(pickup_place).strip()
    if place not in places:
        raise RoundError(_("Choose one of the round's pick-up places."), "pickup_place")
    return place


def _replace_lines(signup: RoundSignup, wanted: dict[int, Decimal], now: datetime) -> None:
    """A line added or raised queues anew (first come, first served counts from then); one lowered keeps its
    place."""
    current = {line.round_product_id: line for line in signup.lines}
    for item_id, line in current.items():
        if item_id not in wanted:
            signup.lines.remove(line)
    for item_id, qty in wanted.items():
        line = current.get(item_id)
        if line is None:
            signup.lines.append(SignupLine(round_product_id=item_id, quantity=qty, queued_at=now))
        elif qty != line.quantity:
            if qty > line.quantity:
                line.queued_at = now
            line.quantity = qty


def withdraw(user: User, purchase_round: PurchaseRound, *, now: datetime | None = None) -> None:
    """Withdraw the person's sign-up (their quantities go back to what is left)."""
    sign_up(user, purchase_round, [], now=now)
