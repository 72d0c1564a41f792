"""Messages of registrations: the accounts package sends signals (it sits below this one); here they become
messages, written in the same transaction as the registration or the review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from market.accounts import signals
from market.accounts.models import Organisation, OrgKind, OrgStatus
from market.extensions import db
from market.notifications.operations import notify
from market.notifications.registry import register_kind

register_kind("registration.received", _l("New registration to review: %(name)s"), needs_action=True)
register_kind("registration.approved", _l("Your registration of %(name)s is approved: you can start now."))
register_kind("registration.returned", _l("Your registration of %(name)s was returned: %(reason)s"))


def reviewers(org: Organisation) -> list[Organisation]:
    """Who is told of a new registration, after the approval rules (market/permissions.py): a supplier's county
    office (the city office when its county has none); a firm's commerce federation and the city office, which
    approves it; anyone else's the city office."""
    stmt = select(Organisation).where(Organisation.status == OrgStatus.ACTIVE)
    if org.kind == OrgKind.SUPPLIER and org.county_id is not None:
        offices = db.session.scalars(stmt.where(Organisation.kind == OrgKind.COUNTY_OFFICE,
                                                Organisation.county_id == org.county_id)).all()
        if offices:
            return list(offices)
    kinds = [OrgKind.CITY_OFFICE] + ([OrgKind.FEDERATION] if org.kind == OrgKind.FIRM else [])
    return list(db.session.scalars(stmt.where(Organisation.kind.in_(kinds))).all())


@signals.organisation_registered.connect
def _registered(org: Organisation, **_kwargs) -> None:
    notify(reviewers(org), "registration.received", ("admin.organisation", {"org_id": org.id}),
           about=("organisation", org.id), name=org.name)


@signals.organisation_reviewed.connect
def _reviewed(org: Organisation, *, approved: bool, **_kwargs) -> None:
    if approved:
        notify(org, "registration.approved", ("home.index", {}), about=("organisation", org.id), name=org.name)
    else:
        notify(org, "registration.returned", ("accounts.profile", {}), about=("organisation", org.id),
               name=org.name, reason=org.status_reason or "")
