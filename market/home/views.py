from __future__ import annotations

from flask import render_template
from flask_login import current_user

from market.accounts.models import OrgKind
from market.admin import queries as admin_queries
from market.audit import queries as audit_queries
from market.catalog import queries as catalog_queries
from market.orders import queries as order_queries
from market.home import bp
from market.pairing import queries as pairing
from market.permissions import unapproved


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template(
            "home/visitor.html",
            pairings=pairing.current_system_pairings(),
            counties=admin_queries.counties_with_supplier_counts(),
        )
    org = current_user.organisation
    if unapproved(current_user):  # its own profile and status, none of the dashboards' other organisations
        return render_template("accounts/awaiting_approval.html", org=org)
    context = {"org": org}
    if org.kind == OrgKind.BUYER:
        context["paired_county"] = pairing.county_for_buyer(org)
        context["paired_village"] = pairing.paired_village(org)
    elif org.kind == OrgKind.SUPPLIER and org.county is not None:
        context["paired_systems"] = pairing.systems_paired_with(org.county)
        context["new_orders"] = order_queries.new_orders_for_supplier(org)
    elif org.kind == OrgKind.COUNTY_OFFICE:
        context["pending"] = admin_queries.organisations_for(current_user, status="pending", limit=10)
        context["supplier_counts"] = admin_queries.supplier_counts_by_status(org.county_id)
        context["paired_systems"] = pairing.systems_paired_with(org.county)
        context["listings_waiting"] = len(catalog_queries.review_queue(org.county_id))
    elif org.kind == OrgKind.CITY_OFFICE:
        context["pending"] = admin_queries.organisations_for(current_user, status="pending", limit=10)
        context["org_counts"] = admin_queries.organisation_counts_by_kind()
        context["pairings"] = pairing.current_system_pairings()
        context["recent_audit"] = audit_queries.recent_entries(limit=8)
    elif org.kind == OrgKind.FEDERATION:
        context["firms"] = admin_queries.organisations_for(current_user, kind=OrgKind.FIRM)
    return render_template(f"home/{org.kind.value}.html", **context)
