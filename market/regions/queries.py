from __future__ import annotations

from flask import abort
from sqlalchemy import select

from market.extensions import db
from market.regions.models import County


def county_or_404(code: str) -> County:
    """The county with this code (as in URLs such as /catalog/qingyuan), or a 404."""
    county = db.session.scalar(select(County).where(County.code == code))
    if county is None:
        abort(404)
    return county
