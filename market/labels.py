"""Human names of enum values, translated; one table so pages, exports and the API say the same."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from market.accounts.models import BuyerSystem, BuyerType, OrgKind, OrgStatus, Role, SupplierType
from market.catalog.models import Category, LinkageMode, ListingStatus, StockReason, Unit
from market.orders.models import OrderStatus, PaymentStatus
from market.shares.models import CanteenMode, CoverageStatus
from market.payments.models import PaymentMethod, PaymentState, RefundState
from market.agreements.models import AgreementStatus, DeliveryState, ScheduleKind
from market.pledges.models import PledgeMode, PledgeStatus

# Keyed by enum class first: StrEnum members of different enums with the same value ("other") compare equal.
LABELS = {
    OrgKind: {
        OrgKind.SUPPLIER: _l("Supplier"),
        OrgKind.COUNTY_OFFICE: _l("County office"),
        OrgKind.BUYER: _l("Buyer (budget unit)"),
        OrgKind.FIRM: _l("Private firm"),
        OrgKind.FEDERATION: _l("Commerce federation"),
        OrgKind.CITY_OFFICE: _l("City office"),
    },
    OrgStatus: {
        OrgStatus.PENDING: _l("Awaiting approval"),
        OrgStatus.ACTIVE: _l("Active"),
        OrgStatus.REJECTED: _l("Rejected"),
        OrgStatus.SUSPENDED: _l("Suspended"),
    },
    SupplierType: {
        SupplierType.COOPERATIVE: _l("Cooperative"),
        SupplierType.ENTERPRISE: _l("Poverty-linked enterprise"),
        SupplierType.FAMILY_FARM: _l("Family farm"),
    },
    BuyerSystem: {
        BuyerSystem.PARTY: _l("Party committee organs"),
        BuyerSystem.GOVERNMENT: _l("Government organs"),
        BuyerSystem.NPC: _l("NPC organs"),
        BuyerSystem.CPPCC: _l("CPPCC organs"),
        BuyerSystem.OTHER: _l("Other (no paired county)"),
    },
    BuyerType: {
        BuyerType.AGENCY_CANTEEN: _l("Agency canteen"),
        BuyerType.SCHOOL_CANTEEN: _l("School canteen"),
        BuyerType.HOSPITAL_CANTEEN: _l("Hospital canteen"),
        BuyerType.VILLAGE_UNIT: _l("Village-stationed unit"),
        BuyerType.OTHER: _l("Other buyer"),
    },
    Role: {
        Role.MEMBER: _l("Member"),
        Role.MANAGER: _l("Manager"),
        Role.CONTRACTOR: _l("Canteen contractor"),
    },
    OrderStatus: {
        OrderStatus.PLACED: _l("Awaiting confirmation"),
        OrderStatus.CONFIRMED: _l("Confirmed"),
        OrderStatus.REJECTED: _l("Rejected by supplier"),
        OrderStatus.SHIPPED: _l("Shipped"),
        OrderStatus.DELIVERED: _l("Delivered"),
        OrderStatus.ACCEPTED: _l("Accepted"),
        OrderStatus.COMPLETED: _l("Completed"),
        OrderStatus.CANCELLED: _l("Cancelled"),
    },
    PaymentStatus: {
        PaymentStatus.UNPAID: _l("Unpaid"),
        PaymentStatus.PAID: _l("Paid"),
        PaymentStatus.REFUNDED: _l("Refunded"),
    },
    PaymentMethod: {
        PaymentMethod.CARD: _l("Card, online"),
        PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
        PaymentMethod.OFFICIAL_CARD: _l("Official card"),
    },
    PaymentState: {
        PaymentState.PENDING: _l("Pending"),
        PaymentState.SUCCEEDED: _l("Succeeded"),
        PaymentState.FAILED: _l("Failed"),
        PaymentState.CANCELLED: _l("Cancelled"),
    },
    RefundState: {
        RefundState.PENDING: _l("Pending"),
        RefundState.SUCCEEDED: _l("Refunded"),
        RefundState.FAILED: _l("Refused"),
        RefundState.CANCELLED: _l("Cancelled"),
    },
    AgreementStatus: {
        AgreementStatus.DRAFT: _l("Draft"),
        AgreementStatus.PROPOSED: _l("Proposed, waiting for the other party"),
        AgreementStatus.SIGNED: _l("Signed by both, not started"),
        AgreementStatus.ACTIVE: _l("Active"),
        AgreementStatus.COMPLETED: _l("Completed"),
        AgreementStatus.TERMINATED: _l("Terminated"),
    },
    ScheduleKind: {
        ScheduleKind.WEEKLY: _l("Weekly"),
        ScheduleKind.MONTHLY: _l("Monthly"),
    },
    DeliveryState: {
        DeliveryState.ORDERED: _l("Ordered"),
        DeliveryState.UNFILLED: _l("Not filled"),
    },
    PledgeMode: {
        PledgeMode.BUY_INSTEAD_OF_DONATE: _l("Buy instead of donating (以购代捐)"),
        PledgeMode.BUY_INSTEAD_OF_HELP: _l("Buy instead of helping (以买代帮)"),
    },
    PledgeStatus: {
        PledgeStatus.SUBMITTED: _l("Waiting for the federation"),
        PledgeStatus.CONFIRMED: _l("Confirmed"),
        PledgeStatus.RETURNED: _l("Returned"),
    },
    CanteenMode: {
        CanteenMode.OWN: _l("Own canteen"),
        CanteenMode.NONE: _l("No canteen"),
        CanteenMode.SHARED: _l("Shared canteen (declaring for all units)"),
        CanteenMode.OUTSOURCED: _l("Outsourced canteen"),
    },
    CoverageStatus: {
        CoverageStatus.PENDING: _l("waiting for the unit's answer"),
        CoverageStatus.ACCEPTED: _l("accepted"),
        CoverageStatus.DECLINED: _l("declined"),
    },
    Category: {
        Category.GRAIN_OIL: _l("Grain and oil"),
        Category.VEGETABLES: _l("Vegetables"),
        Category.FRUIT: _l("Fruit"),
        Category.EDIBLE_FUNGI: _l("Edible fungi"),
        Category.FOREST_MOUNTAIN: _l("Forest and mountain produce"),
        Category.LIVESTOCK: _l("Livestock, poultry and eggs"),
        Category.AQUATIC: _l("Aquatic products"),
        Category.MEDICINAL_HERBS: _l("Medicinal herbs"),
        Category.PROCESSED_FOOD: _l("Processed food"),
        Category.OTHER: _l("Other"),
    },
    Unit: {
        Unit.KG: _l("kg"),
        Unit.JIN: _l("jin"),
        Unit.TON: _l("tonne"),
        Unit.BOX: _l("box"),
        Unit.BAG: _l("bag"),
        Unit.PIECE: _l("piece"),
        Unit.BOTTLE: _l("bottle"),
        Unit.BUNDLE: _l("bundle"),
    },
    LinkageMode: {
        LinkageMode.WAGE: _l("Wages (households work for it)"),
        LinkageMode.ASSET: _l("Assets (households hold shares)"),
        LinkageMode.OPERATING_INCOME: _l("Operating income (households grow and sell it)"),
    },
    ListingStatus: {
        ListingStatus.DRAFT: _l("Draft"),
        ListingStatus.SUBMITTED: _l("Awaiting review"),
        ListingStatus.PUBLISHED: _l("Published"),
        ListingStatus.RETURNED: _l("Returned"),
    },
    StockReason: {
        StockReason.SURVEY: _l("Survey"),
        StockReason.RESTOCK: _l("Restock"),
        StockReason.ORDER_RESERVED: _l("Reserved by order"),
        StockReason.ORDER_RELEASED: _l("Released by order"),
        StockReason.SPOILAGE: _l("Spoilage write-off"),
        StockReason.CORRECTION: _l("Correction"),
    },
}



def label(value) -> str:
    if value is None:
        return ""
    return str(LABELS.get(type(value), {}).get(value, value))


def choices(enum_cls, exclude=(), blank: str | None = None) -> list[SelectChoice]:
    """Options for a select field; `blank` adds a first empty option with that label."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(m.value, LABELS[enum_cls][m]) for m in enum_cls if m not in exclude]
