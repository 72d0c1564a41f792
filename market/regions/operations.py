from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from market.accounts.models import BuyerSystem
from market.extensions import db
from market.pairing.models import SystemPairing
from market.regions.models import County, CountyKind, Village


def load_city(path: str | Path) -> dict[str, int]:
    """Create or update counties, villages and system pairings from a city data file; returns counts of new rows.

    Running it again changes nothing; a pairing row is keyed by (system, valid_from), so next year's
    arrangement is a new row in the file and the old one stays as history.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    city = data["city"]["code"]
    counts = {"counties": 0, "villages": 0, "pairings": 0}
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
    for prow in data.get("system_pairings", []):
        system = BuyerSystem(prow["system"])
        valid_from = date.fromisoformat(prow["valid_from"])
        pairing = db.session.scalar(
            select(SystemPairing).where(SystemPairing.system == system, SystemPairing.valid_from == valid_from)
        )
        if pairing is None:
            pairing = SystemPairing(system=system, valid_from=valid_from)
            db.session.add(pairing)
            counts["pairings"] += 1
        pairing.county = by_code[prow["county"]]
        pairing.note = prow.get("note")
    db.session.flush()
    return counts
