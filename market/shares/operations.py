"""Declaring a reserved share and answering a shared canteen's request. They flush, never commit.

The errors are those of orders (`market.orders.rules`): a share is a promise about a unit's orders."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market import rules
from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.extensions import db
from market.orders.rules import Missing, NotABuyer, OrderError, WrongParty
from market.permissions import Action, Decision, decide
from market.shares.models import LIVE_COVERAGE, CanteenMode, CoverageStatus, ReservedShare, ShareCoverage
from market.state import change_state
from market.types import utcnow

__all__ = ["Missing", "NotABuyer", "OrderError", "WrongParty", "answer_coverage", "declare_reserved_share",
           "reserved_share_floor"]


def reserved_share_floor() -> Decimal:
    """The smallest share a unit may reserve, in percent (RESERVED_SHARE_FLOOR, the city's rule for the year)."""
    return Decimal(str(current_app.config["RESERVED_SHARE_FLOOR"]))


def declare_reserved_share(buyer: Organisation, user: User, *, year: int, mode, spending, percent,
                           contractor_name: str | None = None,
                           covered_unit_ids: list[int] | None = None) -> ReservedShare:
    """Declare (or re-declare) a unit's canteen spending and reserved share for a year.

    Only an active budget unit declares. A shared canteen asks each covered unit (a ShareCoverage request); the
    unit's purchases count toward this declaration only once its manager accepts. A unit is covered by at most
    one declaration a year (held by a unique index), and a unit that declares for itself is not covered.
    """
    if buyer.kind != OrgKind.BUYER:
        raise OrderError(_("Only budget units declare a reserved share."))
    if buyer.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can declare a reserved share."))
    existing = _declaration_of(buyer.id, year)
    # The ReservedShare permission rule says who edits a declaration (the unit's managers); a first declaration
    # is judged as the one it would become.
    if decide(user, Action.EDIT, existing or ReservedShare(buyer_id=buyer.id, year=year)) is not Decision.ALLOWED:
        raise WrongParty(_("Only a manager of the unit declares its reserved share."))
    if _live_coverage(buyer.id, year, besides=None) is not None:
        raise OrderError(_("Another unit's shared canteen covers your unit this year. Decline it on this page "
                           "first to declare for your unit."))
    mode = CanteenMode(mode)
    spending_value, percent_value = _amounts(mode, spending, percent)
    if mode == CanteenMode.OUTSOURCED and not (contractor_name or "").strip():
        raise OrderError(_("Name the contractor that runs the canteen."), "contractor_name")
    covered = _covered_units(buyer, year, covered_unit_ids, existing) if mode == CanteenMode.SHARED else []
    decl = existing
    if decl is None:
        decl = ReservedShare(buyer_id=buyer.id, year=year)
        db.session.add(decl)
    decl.canteen_mode = mode
    decl.canteen_spending = spending_value
    decl.share_percent = percent_value
    decl.contractor_name = (contractor_name or "").strip() or None if mode == CanteenMode.OUTSOURCED else None
    _ask_units(decl, covered, year)
    decl.declared_by_id = user.id
    decl.declared_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError as exc:  # another declaration asked for the same unit at the same moment
        raise OrderError(_("One of the units is already covered by another shared canteen this year."),
                         "covered_units") from exc
    db.session.expire(decl, ["covered_units"])
    return decl


def _amounts(mode: CanteenMode, spending, percent) -> tuple[Decimal, Decimal]:
    """The canteen spending and the share, checked; nothing to reserve without a canteen."""
    if mode == CanteenMode.NONE:
        return Decimal("0.00"), Decimal("0")
    spending_value = rules.amount(spending, _("the canteen spending"))
    percent_value = rules.quantity(percent, _("the share"))
    if percent_value > 100:
        raise OrderError(_("A share cannot be more than 100%."), "share_percent")
    floor = reserved_share_floor()
    if percent_value < floor:
        raise OrderError(_("The reserved share must be at least %(floor)s%%.", floor=f"{floor.normalize():f}"),
                         "share_percent")
    return spending_value, percent_value


def _covered_units(buyer: Organisation, year: int, covered_unit_ids: list[int] | None,
                   decl: ReservedShare | None) -> list[Organisation]:
    """The other units a shared canteen declares for: approved budget units, neither declaring for themselves
    nor covered by another declaration this year."""
    ids = sorted(set(covered_unit_ids or []) - {buyer.id})
    if not ids:
        raise OrderError(_("Choose the units that share the canteen."), "covered_units")
    covered = list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(ids), Organisation.kind == OrgKind.BUYER, Organisation.status == OrgStatus.ACTIVE)
        .order_by(Organisation.id)))
    if len(covered) != len(ids):
        raise OrderError(_("Only approved budget units can share a canteen."), "covered_units")
    for unit in covered:
        # The unit was chosen by name from the list of budget units: naming it tells nothing hidden.
        if _declaration_of(unit.id, year) is not None:
            raise OrderError(_("%(unit)s declares its own reserved share this year; it cannot also be covered.",
                               unit=unit.name), "covered_units")
        if _live_coverage(unit.id, year, besides=decl.id if decl else None) is not None:
            raise OrderError(_("%(unit)s is already covered by another shared canteen this year.",
                               unit=unit.name), "covered_units")
    return covered


def _ask_units(decl: ReservedShare, covered: list[Organisation], year: int) -> None:
    """Ask each covered unit (again, if it had declined); drop the requests of units no longer declared for."""
    wanted = {unit.id for unit in covered}
    now = utcnow()
    for coverage in list(decl.coverages):
        if coverage.unit_id not in wanted:
            decl.coverages.remove(coverage)  # no longer asked: the row goes
        elif coverage.status == CoverageStatus.DECLINED:
            coverage.status, coverage.requested_at = CoverageStatus.PENDING, now  # asked again
            coverage.answered_by_id = coverage.answered_at = None
    asked = {coverage.unit_id for coverage in decl.coverages}
    for unit in covered:
        if unit.id not in asked:
            decl.coverages.append(ShareCoverage(unit_id=unit.id, year=year, status=CoverageStatus.PENDING,
                                                requested_at=now))


def _declaration_of(buyer_id: int, year: int) -> ReservedShare | None:
    return db.session.scalar(select(ReservedShare).where(ReservedShare.buyer_id == buyer_id,
                                                         ReservedShare.year == year))


def _live_coverage(unit_id: int, year: int, *, besides: int | None):
    """The pending or accepted coverage of a unit for a year by a declaration other than `besides`, if any."""
    stmt = select(ShareCoverage).where(ShareCoverage.unit_id == unit_id, ShareCoverage.year == year,
                                       ShareCoverage.status.in_(LIVE_COVERAGE))
    if besides is not None:
        stmt = stmt.where(ShareCoverage.declaration_id != besides)
    return db.session.scalar(stmt)


def answer_coverage(unit: Organisation, user: User, coverage_id: int, *, accept: bool) -> ShareCoverage:
    """A covered unit's manager accepts (its purchases then count toward the declaring unit's share) or declines
    a shared-canteen request; accepting can later be undone by declining. One conditional update."""
    coverage = db.session.get(ShareCoverage, coverage_id)
    if coverage is None or coverage.unit_id != unit.id:
        raise Missing(_("This request does not exist."))
    if unit.kind != OrgKind.BUYER or unit.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can answer."))
    # The ShareCoverage permission rule: the covered unit's managers answer.
    if user.organisation_id != unit.id or decide(user, Action.EDIT, coverage) is not Decision.ALLOWED:
        raise WrongParty(_("Only a manager of the unit can answer."))
    now = utcnow()
    if accept:
        if _declaration_of(unit.id, coverage.year) is not None:
            raise OrderError(_("Your unit declares its own reserved share this year; it cannot also be covered."))
        change_state(coverage, [CoverageStatus.PENDING], CoverageStatus.ACCEPTED, answered_by_id=user.id,
                     answered_at=now)
    else:
        change_state(coverage, [CoverageStatus.PENDING, CoverageStatus.ACCEPTED], CoverageStatus.DECLINED,
                     answered_by_id=user.id, answered_at=now)
    db.session.expire(coverage.declaration, ["covered_units"])
    db.session.flush()
    return coverage
