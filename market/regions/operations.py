"""Loading the city's places (counties, districts, villages) from its data file; another city is another file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from market.extensions import db
from market.regions.models import County, CountyKind, Village


def read_city_file(path: str | Path) -> dict:
    """The parsed city data file: its city, its counties with their villages, and whatever else it carries (the
    system pairings, which the pairing package loads)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_places(data: dict) -> dict[str, int]:
    """Create or update the counties and villages of a city data file; returns counts of new rows.

    Running it again changes nothing but what the file changed (names, order)."""
    city = data["city"]["code"]
    counts = {"counties": 0, "villages": 0}
    by_code = {c.code: c for c in db.session.scalars(select(County))}
    for order, row in enumerate(data["counties"]):
        county = by_code.get(row["code"])
        if county is None:
            county = County(code=row["code"])
            db.session.add(county)
            by_code[row["code"]] = county
            counts["counties"] += 1
        county.name_zh, county.name_en = row["name_zh"], row["name_en"]
        county.kind = CountyKind(row["kind"])
        county.city_code = city
        county.sort_order = order
        db.session.flush()
        existing = {v.code: v for v in county.villages}
        for vrow in row.get("villages", []):
            village = existing.get(vrow["code"])
            if village is None:
                village = Village(county=county, code=vrow["code"])
                db.session.add(village)
                counts["villages"] += 1
            for field in ("township_zh", "township_en", "name_zh", "name_en"):
                setattr(village, field, vrow[field])
    db.session.flush()
    return counts
