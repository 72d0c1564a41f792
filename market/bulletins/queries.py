from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from market.bulletins.models import BulletinIssue, BulletinItem
from market.extensions import db
from market.regions.models import County


def issues(county: County | None = None, page: int = 1, per_page: int = 20):
    """Published issues, newest first, each with its number of items (one statement for the page)."""
    items = (select(func.count(BulletinItem.id)).where(BulletinItem.issue_id == BulletinIssue.id)
             .correlate(BulletinIssue).scalar_subquery())
    stmt = (select(BulletinIssue, items.label("item_count")).options(joinedload(BulletinIssue.county))
            .order_by(BulletinIssue.issue_date.desc(), BulletinIssue.id.desc()))
    if county is not None:
        stmt = stmt.where(BulletinIssue.county_id == county.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return total, rows


def issue_with_items(issue_id: int) -> BulletinIssue | None:
    return db.session.scalar(select(BulletinIssue).options(joinedload(BulletinIssue.county),
                                                           selectinload(BulletinIssue.items))
                             .where(BulletinIssue.id == issue_id))


def feed_issues(county: County | None = None, limit: int = 30) -> list[BulletinIssue]:
    stmt = (select(BulletinIssue).options(joinedload(BulletinIssue.county), selectinload(BulletinIssue.items))
            .order_by(BulletinIssue.published_at.desc(), BulletinIssue.id.desc()).limit(limit))
    if county is not None:
        stmt = stmt.where(BulletinIssue.county_id == county.id)
    return list(db.session.scalars(stmt))


def archive_version(county: County | None = None) -> str:
    stmt = select(func.count(BulletinIssue.id), func.max(BulletinIssue.id))
    if county is not None:
        stmt = stmt.where(BulletinIssue.county_id == county.id)
    count, latest = db.session.execute(stmt).one()
    return f"{count}-{latest}"
