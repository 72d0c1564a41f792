"""Human names of the enum values of organisations and people, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them), and what the audit log says of them."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from market.accounts.models import (ApiToken, MailPreference, BuyerSystem, BuyerType, Organisation, OrgKind, OrgStatus, Role,
                                    SupplierType, User)
from market.audit.labels import register_kind
from market.labels import register_labels
from market.regions.models import County

register_labels(OrgKind, {
    OrgKind.SUPPLIER: _l("Supplier"),
    OrgKind.COUNTY_OFFICE: _l("County office"),
    OrgKind.BUYER: _l("Buyer (budget unit)"),
    OrgKind.FIRM: _l("Private firm"),
    OrgKind.FEDERATION: _l("Commerce federation"),
    OrgKind.CITY_OFFICE: _l("City office"),
})

register_labels(MailPreference, {
    MailPreference.ALL: _l("All messages"),
    MailPreference.ACTION: _l("Only messages that wait on me"),
    MailPreference.NONE: _l("No e-mail"),
})

register_labels(OrgStatus, {
    OrgStatus.PENDING: _l("Awaiting approval"),
    OrgStatus.ACTIVE: _l("Active"),
    OrgStatus.REJECTED: _l("Rejected"),
    OrgStatus.SUSPENDED: _l("Suspended"),
})

register_labels(SupplierType, {
    SupplierType.COOPERATIVE: _l("Cooperative"),
    SupplierType.ENTERPRISE: _l("Poverty-linked enterprise"),
    SupplierType.FAMILY_FARM: _l("Family farm"),
})

register_labels(BuyerSystem, {
    BuyerSystem.PARTY: _l("Party committee organs"),
    BuyerSystem.GOVERNMENT: _l("Government organs"),
    BuyerSystem.NPC: _l("NPC organs"),
    BuyerSystem.CPPCC: _l("CPPCC organs"),
    BuyerSystem.OTHER: _l("Other (no paired county)"),
})

register_labels(BuyerType, {
    BuyerType.AGENCY_CANTEEN: _l("Agency canteen"),
    BuyerType.SCHOOL_CANTEEN: _l("School canteen"),
    BuyerType.HOSPITAL_CANTEEN: _l("Hospital canteen"),
    BuyerType.VILLAGE_UNIT: _l("Village-stationed unit"),
    BuyerType.OTHER: _l("Other buyer"),
})

register_labels(Role, {
    Role.MEMBER: _l("Member"),
    Role.MANAGER: _l("Manager"),
    Role.CONTRACTOR: _l("Canteen contractor"),
    Role.STAFF: _l("Staff member"),
})

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Organisation, _l("Organisation"), name=lambda org: org.name,
    url=lambda org: url_for("admin.organisation", org_id=org.id),
    actions={"create": _l("registered an organisation"), "update": _l("changed an organisation")},
    fields={"name": (_l("Name"),), "status": (_l("Status"), OrgStatus), "kind": (_l("Kind"), OrgKind),
            "county_id": (_l("County"), County)})

register_kind(
    User, _l("Person"), name=lambda person: person.name, url=lambda person: url_for("admin.users", q=person.email),
    actions={"create": _l("created a person"), "update": _l("changed a person"),
             "password_change": _l("changed their password"), "password_reset": _l("reset a person's password")},
    fields={"email": (_l("Email"),), "role": (_l("Role"), Role), "active": (_l("May sign in"), "yes_no"),
            "organisation_id": (_l("Organisation"), Organisation)})

register_kind(
    ApiToken, _l("API key"), name=lambda token: token.name,
    actions={"create": _l("created an API key"), "update": _l("changed an API key")},
    fields={"name": (_l("Name"),), "revoked_at": (_l("Revoked"), "datetime")})
