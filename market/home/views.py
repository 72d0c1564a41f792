from __future__ import annotations

from flask import render_template
from flask_login import current_user

from market.accounts.models import OrgKind
from market.admin import queries as admin_queries
from market.audit import queries as audit_queries
from market.catalog import queries as catalog_queries
from market.orders import queries as order_queries
from market.home import bp
from market.home import queries as home_queries
from market.http import is_visitor, public_page, recent
from market.pairing import queries as pairing
from market.rounds import queries as round_queries
from market.types import utcnow
from market.permissions import unapproved


def _buyer(org) -> dict:
    return {"paired_county": pairing.county_for_buyer(org), "paired_village": pairing.paired_village(org)}


def _supplier(org) -> dict:
    if org.county is None:
        return {}
    return {"paired_systems": pairing.systems_paired_with(org.county),
            "new_orders": order_queries.new_orders_for_supplier(org)}


def _county_office(org) -> dict:
    return {"pending": admin_queries.organisations_for(current_user, status="pending", limit=10),
            "supplier_counts": admin_queries.supplier_counts_by_status(org.county_id),
            "paired_systems": pairing.systems_paired_with(org.county),
            "listings_waiting": len(catalog_queries.review_queue(org.county_id))}


def _city_office(org) -> dict:
    return {"pending": admin_queries.organisations_for(current_user, status="pending", limit=10),
            "org_counts": admin_queries.organisation_counts_by_kind(),
            "pairings": pairing.current_system_pairings(),
            "recent_audit": audit_queries.recent_entries(limit=8)}


def _federation(org) -> dict:
    return {"firms": admin_queries.organisations_for(current_user, kind=OrgKind.FIRM)}


#: What each kind of organisation's home page shows besides the organisation itself.
_DASHBOARDS = {OrgKind.BUYER: _buyer, OrgKind.SUPPLIER: _supplier, OrgKind.COUNTY_OFFICE: _county_office,
               OrgKind.CITY_OFFICE: _city_office, OrgKind.FEDERATION: _federation}


def _staff_home(org) -> str:
    now = utcnow()
    return render_template("home/staff.html", org=org, now=now, amount=round_queries.signup_amount,
                           **round_queries.staff_home(current_user, now))


def _visitor_home() -> str:
    return render_template("home/visitor.html", pairings=pairing.current_system_pairings(),
                           counties=admin_queries.counties_with_supplier_counts())


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return public_page(("home", recent()), _visitor_home) if is_visitor() else _visitor_home()
    org = current_user.organisation
    if unapproved(current_user):  # its own profile and status, none of the dashboards' other organisations
        return render_template("accounts/awaiting_approval.html", org=org)
    if current_user.is_staff:  # its rounds and own sign-ups only: nothing of the unit's orders or money
        return _staff_home(org)
    context = {"org": org, "waiting": home_queries.waiting_on(org), **_DASHBOARDS.get(org.kind, lambda _org: {})(org)}
    return render_template(f"home/{org.kind.value}.html", **context)
