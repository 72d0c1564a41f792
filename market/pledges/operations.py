"""Writes for pledges. They flush, never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from market.accounts.models import OrgKind, OrgStatus, User
from market import rules
from market.catalog.models import Category
from market.rules import RuleError
from market.extensions import db
from market.pledges import notices
from market.pledges.models import Pledge, PledgeMode, PledgeStatus
from market.regions import queries as regions
from market.state import change_state
from market.types import utcnow


def make_pledge(user: User, *, amount, mode, start_date: date | None, end_date: date | None,
                county: str | None = None, category: str | None = None, note: str | None = None,
                show_publicly: bool = False) -> Pledge:
    """A firm's pledge, optionally only from one county (its code) or of one category; the federation reviews it."""
    firm = user.organisation
    if firm.kind != OrgKind.FIRM or firm.status != OrgStatus.ACTIVE:
        raise RuleError(_("Only an approved private firm makes pledges."))
    value = rules.amount(amount, _("the pledged sum"))
    if mode not in PledgeMode.__members__.values():
        raise RuleError(_("Choose buying instead of donating or buying instead of helping."), "mode")
    if start_date is None or end_date is None:
        raise RuleError(_("Enter the start and end dates."), "start_date")
    if end_date < start_date:
        raise RuleError(_("The end date cannot come before the start date."), "end_date")
    if category and category not in Category.__members__.values():
        raise RuleError(_("Choose a category."), "category")
    only_from = regions.county_by_code(county) if county else None
    if county and only_from is None:
        raise RuleError(_("Choose a county from the list."), "county")
    pledge = Pledge(firm_id=firm.id, amount=value, mode=PledgeMode(mode), start_date=start_date, end_date=end_date,
                    county_id=only_from.id if only_from else None, category=Category(category) if category else None,
                    note=(note or "").strip()[:1000] or None, show_publicly=bool(show_publicly))
    db.session.add(pledge)
    db.session.flush()
    notices.tell_of_pledge(pledge, firm.name)
    return pledge


def review_pledge(pledge: Pledge, reviewer: User, *, confirm: bool, reason: str | None = None) -> None:
    org = reviewer.organisation
    if org.kind != OrgKind.FEDERATION or org.status != OrgStatus.ACTIVE:
        raise RuleError(_("Only the commerce federation confirms or returns pledges."))
    if pledge.status != PledgeStatus.SUBMITTED:
        raise RuleError(_("Only a pledge waiting for review can be confirmed or returned."))
    if not confirm and not (reason or "").strip():
        raise RuleError(_("Say why the pledge is returned."), "reason")
    # One decision, even when two reviewers press their buttons at the same moment: the second finds it decided.
    change_state(pledge, [PledgeStatus.SUBMITTED], PledgeStatus.CONFIRMED if confirm else PledgeStatus.RETURNED,
                 return_reason=None if confirm else reason.strip()[:1000], reviewed_by_id=reviewer.id,
                 reviewed_at=utcnow())
    notices.tell_of_review(pledge)
