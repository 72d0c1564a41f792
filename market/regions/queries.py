"""Counties: the one lookup by code and the one list in the city's order, for every page, the API and the CLI."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from market.extensions import db
from market.regions.models import County, Village


def county_by_code(code: str | None) -> County | None:
    """The county with this code (as in URLs such as /catalog/qingyuan), or None."""
    if not code:
        return None
    return db.session.scalar(select(County).where(County.code == code))


def county_or_404(code: str) -> County:
    """The county with this code, or a 404."""
    county = county_by_code(code)
    if county is None:
        abort(404)
    return county


def counties() -> list[County]:
    """All counties of the city, in the city's own order."""
    return list(db.session.scalars(select(County).order_by(County.sort_order, County.id)))


def villages() -> list[Village]:
    """All villages, county by county."""
    return list(db.session.scalars(select(Village).order_by(Village.county_id, Village.id)))
