"""Writes for supply agreements: drafting, signing, amending (a new version), terminating, and turning due
deliveries into orders through the same placement as any order. Functions flush, never commit."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.agreements.models import (
    Agreement,
    AgreementDelivery,
    AgreementLine,
    AgreementStatus,
    AgreementVersion,
    DeliveryState,
    ScheduleKind,
)
from market.agreements import notices
from market.agreements.terms import WEEKDAYS, LineTerms, Terms  # noqa: F401  (LineTerms: callers build terms here)
from market import rules
from market.catalog.models import Product
from market.demands.models import Demand
from market.rules import RuleError
from market.extensions import db
from market.i18n import SHANGHAI, local_today
from market.labels import label
from market.orders import operations as orders
from market.orders.rules import check_minimum_order, party_of
from market.orders.models import OrderSource
from market.state import StateConflict, change_state
from market.types import utcnow

MAX_YEARS = 3


class AgreementError(RuleError):
    pass


def _require_party(user: User, agreement: Agreement) -> str:
    side = party_of(user, agreement)
    if side is None or user.organisation.status != OrgStatus.ACTIVE:
        raise AgreementError(_("Only the two parties can do this."))
    return side


def check_terms(supplier: Organisation, terms: Terms, *, today: date | None = None) -> list[tuple[Product, Decimal,
                                                                                                  Decimal]]:
    """The rules of any agreement's terms, for the form and the API alike; returns (product, qty, price)."""
    today = today or local_today()
    if not terms.lines:
        raise AgreementError(_("An agreement needs at least one product."), "lines")
    ids = [line.product_id for line in terms.lines]
    if len(set(ids)) != len(ids):
        raise AgreementError(_("Each product may appear only once in an agreement."), "lines")
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    checked = []
    for line in terms.lines:
        product = products.get(line.product_id)
        if product is None or not product.listed:
            # Unpublished or its supplier not active: answered as a missing id, without its name.
            raise AgreementError(_("This product does not exist."), "lines")
        if product.supplier_id != supplier.id:
            raise AgreementError(_("Every product must be the supplier's own."), "lines")
        qty = rules.quantity(line.quantity, _("the quantity per delivery"))
        check_minimum_order(product, qty, field="lines")
        checked.append((product, qty, rules.price(line.unit_price)))
    kind = ScheduleKind(terms.schedule_kind) if terms.schedule_kind in ScheduleKind.__members__.values() else None
    if kind is None:
        raise AgreementError(_("Choose weekly or monthly deliveries."), "schedule_kind")
    if kind == ScheduleKind.WEEKLY and (not terms.weekdays or any(d not in range(7) for d in terms.weekdays)):
        raise AgreementError(_("Choose the weekdays of the deliveries."), "weekdays")
    if kind == ScheduleKind.MONTHLY and (terms.month_day is None or not 1 <= terms.month_day <= 28):
        raise AgreementError(_("Choose a day of the month from 1 to 28."), "month_day")
    if terms.start_date is None or terms.end_date is None:
        raise AgreementError(_("Enter the start and end dates."), "start_date")
    if terms.end_date < terms.start_date:
        raise AgreementError(_("The end date cannot come before the start date."), "end_date")
    if terms.end_date < today:
        raise AgreementError(_("The end date has already passed."), "end_date")
    if terms.end_date > terms.start_date.replace(year=terms.start_date.year + MAX_YEARS):
        raise AgreementError(_("An agreement runs at most %(n)s years.", n=MAX_YEARS), "end_date")
    place = (terms.delivery_place or "").strip()
    if not place or len(place) > 300:
        raise AgreementError(_("Enter the delivery place (at most 300 characters)."), "delivery_place")
    if not due_dates(kind, terms.weekdays, terms.month_day, terms.start_date, terms.end_date):
        raise AgreementError(_("The schedule has no delivery between the start and end dates."), "schedule_kind")
    return checked


def _version(agreement: Agreement, user: User, terms: Terms, checked) -> AgreementVersion:
    number = (agreement.versions[-1].number + 1) if agreement.versions else 1  # never a number used before
    version = AgreementVersion(
        number=number, schedule_kind=ScheduleKind(terms.schedule_kind),
        weekdays=",".join(str(d) for d in sorted(set(terms.weekdays))) if terms.schedule_kind == "weekly" else None,
        month_day=terms.month_day if terms.schedule_kind == "monthly" else None,
        start_date=terms.start_date, end_date=terms.end_date, delivery_place=terms.delivery_place.strip(),
        note=(terms.note or "").strip() or None, created_by_id=user.id,
    )
    for product, qty, price in checked:
        version.lines.append(AgreementLine(product_id=product.id, product_name=product.name, unit=product.unit,
                                           quantity=qty, unit_price=price))
    agreement.versions.append(version)
    return version


def create_agreement(user: User, counterpart: Organisation, terms: Terms, *, demand_id: int | None = None) -> Agreement:
    """A draft drawn up by a canteen (buyer) for a supplier, or by a supplier for a canteen."""
    mine = user.organisation
    if mine.status != OrgStatus.ACTIVE:
        raise AgreementError(_("Your organisation must be approved first."))
    if mine.kind == OrgKind.BUYER and counterpart.kind == OrgKind.SUPPLIER:
        buyer, supplier = mine, counterpart
    elif mine.kind == OrgKind.SUPPLIER and counterpart.kind == OrgKind.BUYER:
        buyer, supplier = counterpart, mine
    else:
        raise AgreementError(_("An agreement is between a canteen (budget unit) and a supplier."), "counterpart")
    if counterpart.status != OrgStatus.ACTIVE:
        raise AgreementError(_("The other party is not approved."), "counterpart")
    if demand_id is not None and db.session.get(Demand, demand_id) is None:
        raise AgreementError(_("The demand this agreement would answer does not exist."), "demand")
    checked = check_terms(supplier, terms)
    agreement = Agreement(buyer_id=buyer.id, supplier_id=supplier.id, proposed_by_id=mine.id,
                          status=AgreementStatus.DRAFT, demand_id=demand_id)
    db.session.add(agreement)
    _version(agreement, user, terms, checked)
    db.session.flush()
    return agreement


def _lock(agreement: Agreement) -> None:
    """Take the agreement for this transaction and read it and its versions as they are now.

    Every write to an agreement starts here, so amending, signing, terminating and the status refresh take turns:
    the no-op UPDATE holds the row lock on PostgreSQL (a second writer waits, then reads what the first
    committed) and the database's write lock on SQLite (where `SELECT … FOR UPDATE` does not exist).
    """
    db.session.execute(update(Agreement).where(Agreement.id == agreement.id)
                       .values(updated_at=Agreement.updated_at).execution_options(synchronize_session=False))
    db.session.refresh(agreement)
    db.session.scalars(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id)
                       .options(selectinload(AgreementVersion.lines))
                       .execution_options(populate_existing=True)).all()
    db.session.expire(agreement, ["versions"])


def amend(agreement: Agreement, user: User, terms: Terms) -> AgreementVersion:
    """Change the terms: a new version, numbered after the latest, that both sign (the terms in force stay so
    until then). Earlier versions stay readable, so a signature on one shown earlier can say what changed."""
    _require_party(user, agreement)
    _lock(agreement)
    if agreement.status in (AgreementStatus.COMPLETED, AgreementStatus.TERMINATED):
        raise AgreementError(_("A finished agreement cannot be changed."))
    checked = check_terms(agreement.supplier, terms)
    version = _version(agreement, user, terms, checked)
    now = utcnow()
    if agreement.status == AgreementStatus.PROPOSED:  # the signature waiting for the other side was on old terms
        change_state(agreement, [AgreementStatus.PROPOSED], AgreementStatus.DRAFT, updated_at=now)
    else:
        agreement.updated_at = now
    db.session.flush()
    notices.tell_the_other(agreement, user, "agreement.amended")
    return version


class TermsChanged(StateConflict):
    """The terms were changed after the page the signer saw: nothing is signed."""


def _schedule_text(version: AgreementVersion) -> str:
    if version.schedule_kind == ScheduleKind.WEEKLY:
        names = {value: str(name) for value, name in WEEKDAYS}
        return _("weekly on %(days)s", days=_(", ").join(names[d] for d in version.weekday_list))
    return _("monthly on day %(day)s", day=version.month_day)


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def changes_between(shown: AgreementVersion, current: AgreementVersion) -> list[str]:
    """What differs from the terms shown to the terms now (products, quantities, prices, schedule, dates, place),
    one phrase each, in the user's language."""
    changes = []
    before = {line.product_id: line for line in shown.lines}
    after = {line.product_id: line for line in current.lines}
    for product_id, line in after.items():
        old = before.get(product_id)
        if old is None:
            changes.append(_("%(name)s added: %(qty)s %(unit)s at ¥%(price)s", name=line.product_name,
                             qty=_number(line.quantity), unit=label(line.unit), price=line.unit_price))
            continue
        if old.unit_price != line.unit_price:
            changes.append(_("price of %(name)s ¥%(old)s → ¥%(new)s", name=line.product_name, old=old.unit_price,
                             new=line.unit_price))
        if old.quantity != line.quantity:
            changes.append(_("quantity of %(name)s per delivery %(old)s → %(new)s %(unit)s", name=line.product_name,
                             old=_number(old.quantity), new=_number(line.quantity), unit=label(line.unit)))
    for product_id, line in before.items():
        if product_id not in after:
            changes.append(_("%(name)s removed", name=line.product_name))
    if _schedule_text(shown) != _schedule_text(current):
        changes.append(_("deliveries %(old)s → %(new)s", old=_schedule_text(shown), new=_schedule_text(current)))
    if (shown.start_date, shown.end_date) != (current.start_date, current.end_date):
        changes.append(_("dates %(old)s → %(new)s", old=f"{shown.start_date}–{shown.end_date}",
                         new=f"{current.start_date}–{current.end_date}"))
    if shown.delivery_place != current.delivery_place:
        changes.append(_("delivery place %(old)s → %(new)s", old=shown.delivery_place, new=current.delivery_place))
    if (shown.note or "") != (current.note or ""):
        changes.append(_("other terms changed"))
    return changes


def _terms_changed(agreement: Agreement, shown_number: int) -> TermsChanged:
    current = agreement.latest
    shown = next((v for v in agreement.versions if v.number == shown_number), None)
    if shown is None:
        return TermsChanged(_("The page you signed from showed terms that no longer exist. Read version %(n)s "
                              "below and sign it if you agree.", n=current.number))
    listed = changes_between(shown, current) or [_("no change to products, prices or dates")]
    return TermsChanged(_("The terms changed since you opened the page (version %(old)s → %(new)s): %(changes)s. "
                          "Nothing was signed; read version %(new)s below and sign it if you agree.",
                          old=shown.number, new=current.number, changes=_("; ").join(listed)))


def sign(agreement: Agreement, user: User, *, version: int | None = None, today: date | None = None) -> None:
    """Sign, for your side, the terms of `version` (the number of the version shown to the signer); when both
    sides have, they come into force. If the terms changed since they were shown, `TermsChanged` says how and
    nothing is signed. Without `version` (the demo data only) the latest terms are signed."""
    side = _require_party(user, agreement)
    _lock(agreement)
    if agreement.status in (AgreementStatus.COMPLETED, AgreementStatus.TERMINATED):
        raise AgreementError(_("A finished agreement cannot be signed."))
    terms = agreement.latest
    if version is not None and version != terms.number:
        raise _terms_changed(agreement, version)
    if getattr(terms, f"{side}_signed_at") is not None:
        raise AgreementError(_("Your side has already signed these terms."))
    now = utcnow()
    setattr(terms, f"{side}_signed_at", now)
    setattr(terms, f"{side}_signed_by_id", user.id)
    status = agreement.status
    if terms.signed_by_both:
        change_state(agreement, [status], _status_on(terms, today or local_today()), in_force_version_id=terms.id,
                     updated_at=now)
        notices.tell_the_other(agreement, user, "agreement.signed")
    elif agreement.in_force_version_id is None:
        change_state(agreement, [status], AgreementStatus.PROPOSED, updated_at=now)
        notices.tell_the_other(agreement, user, "agreement.proposed")
    else:  # a change signed by one side: the terms in force stay so
        agreement.updated_at = now
    db.session.flush()


def terminate(agreement: Agreement, user: User, reason: str | None) -> None:
    _require_party(user, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise AgreementError(_("Say why the agreement ends early."), "reason")
    _lock(agreement)
    if agreement.status in (AgreementStatus.COMPLETED, AgreementStatus.TERMINATED):
        raise AgreementError(_("The agreement has already ended."))
    change_state(agreement, [agreement.status], AgreementStatus.TERMINATED, terminated_at=utcnow(),
                 termination_reason=reason[:1000])
    notices.tell_the_other(agreement, user, "agreement.terminated", reason=reason[:300])


def _status_on(version: AgreementVersion, today: date) -> AgreementStatus:
    """The status of an agreement whose terms in force are `version`, by its dates."""
    if version.end_date < today:
        return AgreementStatus.COMPLETED
    if version.start_date <= today:
        return AgreementStatus.ACTIVE
    return AgreementStatus.SIGNED


def refresh_status(agreement: Agreement, today: date) -> None:
    """Signed terms become active on their start date and completed after their end date. Nothing is written when
    nothing changes; raises StateConflict when the agreement was terminated or changed meanwhile."""
    version = agreement.in_force
    if version is None or agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE) \
            or _status_on(version, today) == agreement.status:
        return
    _lock(agreement)
    version = agreement.in_force
    if version is None or agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE):
        raise StateConflict()
    target = _status_on(version, today)
    if target != agreement.status:
        change_state(agreement, [agreement.status], target)


# --- the schedule ----------------------------------------------------------------------------------------------------


def due_dates(kind, weekdays: list[int], month_day: int | None, start: date, end: date) -> list[date]:
    """Delivery days between start and end inclusive (pure)."""
    kind = ScheduleKind(kind)
    days: list[date] = []
    if kind == ScheduleKind.WEEKLY:
        wanted = set(weekdays)
        if not wanted:
            return []
        day = start
        while day <= end:
            if day.weekday() in wanted:
                days.append(day)
            day += timedelta(days=1)
    elif month_day:
        year, month = start.year, start.month
        while True:
            if month_day <= calendar.monthrange(year, month)[1]:
                day = date(year, month, month_day)
                if day > end:
                    break
                if day >= start:
                    days.append(day)
            month += 1
            if month > 12:
                year, month = year + 1, 1
            if date(year, month, 1) > end:
                break
    return days


def version_due_dates(version: AgreementVersion, start: date, until: date) -> list[date]:
    return due_dates(version.schedule_kind, version.weekday_list, version.month_day, max(start, version.start_date),
                     min(until, version.end_date))


def agreements_to_generate() -> list[Agreement]:
    return list(db.session.scalars(
        select(Agreement).where(Agreement.status.in_((AgreementStatus.SIGNED, AgreementStatus.ACTIVE)),
                                Agreement.in_force_version_id.isnot(None)).order_by(Agreement.id)))


def existing_due_dates(agreement: Agreement) -> set[date]:
    return set(db.session.scalars(select(AgreementDelivery.due_date)
                                  .where(AgreementDelivery.agreement_id == agreement.id)))


def place_delivery(agreement: Agreement, due: date, *, now: datetime | None = None) -> AgreementDelivery:
    """Order one due delivery at the agreed prices through the ordinary placement (stock through the ledger).
    Raises RuleError (StockShortage…) when it cannot be filled: the caller rolls back and calls `flag_unfilled`."""
    version = agreement.in_force
    if agreement.supplier.status != OrgStatus.ACTIVE:
        raise AgreementError(_("The supplier is suspended; no delivery is ordered until the city office reinstates "
                               "it."))
    for line in version.lines:
        if not line.product.listed:
            raise AgreementError(_("%(name)s is no longer in the catalog; the delivery cannot be ordered.",
                                   name=line.product_name))
    lines = [orders.LineRequest(line.product_id, line.quantity, unit_price=line.unit_price) for line in version.lines]
    day = (now or utcnow()).astimezone(SHANGHAI).date()
    # The agreement's place, and its due day when that is still ahead (a delivery caught up late asks for none).
    delivery = orders.DeliveryRequest(place=version.delivery_place or agreement.buyer.name,
                                      requested_date=due if due >= day else None)
    bulk, _created = orders.place_order(agreement.buyer, None, lines, f"agreement-{agreement.id}-{due.isoformat()}",
                                        now=now, delivery=delivery, source=OrderSource.AGREEMENT)
    delivery = AgreementDelivery(agreement_id=agreement.id, version_id=version.id, due_date=due,
                                 state=DeliveryState.ORDERED, order_id=bulk.orders[0].id)
    db.session.add(delivery)
    db.session.flush()
    return delivery


def flag_unfilled(agreement: Agreement, due: date, problem: str) -> AgreementDelivery:
    delivery = AgreementDelivery(agreement_id=agreement.id, version_id=agreement.in_force_version_id, due_date=due,
                                 state=DeliveryState.UNFILLED, problem=problem[:300])
    db.session.add(delivery)
    db.session.flush()
    notices.tell_both_unfilled(agreement, due, problem[:300])
    return delivery
