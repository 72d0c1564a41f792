from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from market.accounts import operations as accounts
from market.accounts.models import Organisation, OrgStatus, Role
from market.demo.data import ORGANISATIONS
from market.extensions import db
from market.pairing.models import VillagePairing
from market.regions.models import County, Village
from market.regions.operations import load_city


def seed_demo(password: str) -> int:
    """Create whatever part of the demo is missing; returns the number of accounts created."""
    load_city(current_app.config["CITY_DATA_FILE"])
    counties = {c.code: c for c in db.session.scalars(select(County))}
    villages = {v.code: v for v in db.session.scalars(select(Village))}
    created = 0
    for email, person, org_name, kind, extra in ORGANISATIONS:
        if accounts.find_user(email) is not None:
            continue
        fields = dict(extra)
        paired_village = fields.pop("paired_village", None)
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name, Organisation.kind == kind))
        if org is None:
            org = accounts.create_organisation(
                name=org_name,
                kind=kind,
                status=OrgStatus.ACTIVE,
                county=counties.get(fields.pop("county", None)),
                village=villages.get(fields.pop("village", None)),
                contact_name=person,
                **fields,
            )
        if paired_village:
            db.session.add(
                VillagePairing(buyer=org, village=villages[paired_village], valid_from=date(2020, 1, 1),
                               note="驻村帮扶")
            )
        accounts.create_user(organisation=org, email=email, name=person, password=password, role=Role.MANAGER)
        created += 1
    db.session.flush()
    return created
