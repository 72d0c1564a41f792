"""Publishing a bulletin issue: a snapshot of a county's stranded produce on a date."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from market.accounts.models import User
from market.bulletins.models import BulletinIssue, BulletinItem
from market.catalog import queries as catalog_queries
from market.catalog.rules import text
from market.rules import RuleError
from market.extensions import db
from market.i18n import local_today
from market.regions.models import County
from market.regions.queries import counties

#: Bulletins come out weekly by default (BULLETIN_INTERVAL_DAYS in the configuration).
DEFAULT_INTERVAL_DAYS = 7
#: The longest note to readers an issue carries.
NOTE_LIMIT = 2000


def latest_issue(county: County) -> BulletinIssue | None:
    return db.session.scalar(
        select(BulletinIssue).where(BulletinIssue.county_id == county.id).order_by(BulletinIssue.number.desc())
        .limit(1)
    )


def next_due(county: County, interval_days: int = DEFAULT_INTERVAL_DAYS) -> date:
    last = latest_issue(county)
    return last.issue_date + timedelta(days=interval_days) if last else local_today()


def publish_issue(county: County, actor: User | None, issue_date: date, note: str | None = None) -> BulletinIssue:
    """Publish the county's issue for `issue_date` listing its stranded produce on sale that day."""
    if issue_date is None:
        raise RuleError(_("Enter the date of the issue."), "issue_date")
    note = text(note, NOTE_LIMIT, "note")
    if issue_date > local_today():
        raise RuleError(_("A bulletin cannot be dated in the future."), "issue_date")
    last = latest_issue(county)
    if last is not None and issue_date <= last.issue_date:
        raise RuleError(_("The last issue is dated %(day)s; a new issue must come after it.",
                          day=last.issue_date.isoformat()), "issue_date")
    number = (db.session.scalar(select(func.max(BulletinIssue.number)).where(
        BulletinIssue.county_id == county.id)) or 0) + 1
    issue = BulletinIssue(county_id=county.id, number=number, issue_date=issue_date,
                          note=note, published_by_id=actor.id if actor else None)
    for position, product in enumerate(catalog_queries.stranded_for_bulletin(county.id, issue_date), start=1):
        issue.items.append(BulletinItem(
            position=position, product_id=product.id, product_name=product.name, variety=product.variety,
            category=product.category, unit=product.unit, unsold_quantity=product.unsold_quantity,
            price=product.price, supplier_name=product.supplier.name, households_linked=product.households_linked,
            stranded_since=product.stranded_since, stranded_cause=product.stranded_cause,
            best_before=product.best_before,
        ))
    db.session.add(issue)
    db.session.flush()
    return issue


def publish_due(today: date, interval_days: int = DEFAULT_INTERVAL_DAYS) -> list[BulletinIssue]:
    """For cron: publish an issue for every county whose last issue is `interval_days` old or older and
    that has stranded produce on sale. Safe to run again the same day: nothing more is due."""
    published = []
    for county in counties():
        if next_due(county, interval_days) > today:
            continue
        if not catalog_queries.stranded_for_bulletin(county.id, today):
            continue
        published.append(publish_issue(county, None, today))
    return published
