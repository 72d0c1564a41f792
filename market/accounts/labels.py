"""Human names of the enum values of organisations and people, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.accounts.models import BuyerSystem, BuyerType, OrgKind, OrgStatus, Role, SupplierType
from market.labels import register_labels

register_labels(OrgKind, {
    OrgKind.SUPPLIER: _l("Supplier"),
    OrgKind.COUNTY_OFFICE: _l("County office"),
    OrgKind.BUYER: _l("Buyer (budget unit)"),
    OrgKind.FIRM: _l("Private firm"),
    OrgKind.FEDERATION: _l("Commerce federation"),
    OrgKind.CITY_OFFICE: _l("City office"),
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
})
