"""The messages of a listing's review: submitted (its county office), returned and published (its supplier)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.accounts.models import OrgKind
from market.catalog.models import ListingStatus, Product
from market.notifications.operations import Office, PeopleOf, notify
from market.notifications.registry import register_kind

register_kind("listing.submitted", _l("Listing to review: %(name)s from %(supplier)s."), needs_action=True)
register_kind("listing.returned", _l("Your listing %(name)s was returned: %(reason)s"), needs_action=True)
register_kind("listing.published", _l("Your listing %(name)s is published in the catalog."))


def tell_of_submission(product: Product) -> None:
    notify(Office(OrgKind.COUNTY_OFFICE, product.county_id), "listing.submitted",
           ("catalog.product", {"product_id": product.id}), about=("product", product.id), name=product.name,
           supplier=product.supplier.name)


def tell_of_review(product: Product) -> None:
    published = product.status == ListingStatus.PUBLISHED
    notify(PeopleOf(product.supplier_id), "listing.published" if published else "listing.returned",
           ("catalog.product", {"product_id": product.id}), about=("product", product.id), name=product.name,
           reason=product.return_reason or "")
