"""`change_state`: a state changes once; a request that read the old state and comes second changes nothing."""

from __future__ import annotations

import pytest

from tests.factories import make_product


def test_the_second_of_two_changes_from_the_same_state_is_refused(app, db, people):
    from market.catalog.models import ListingStatus, Product
    from market.state import StateConflict, change_state

    product_id = make_product(app, db, people, publish=False)
    with app.app_context(), app.test_request_context("/"):
        stale = db.session.get(Product, product_id)  # read as DRAFT by this request
        with app.app_context():  # another request, another connection, gets there first
            other = db.session.get(Product, product_id)
            change_state(other, [ListingStatus.DRAFT], ListingStatus.SUBMITTED)
            assert other.status == ListingStatus.SUBMITTED
            db.session.commit()
        assert stale.status == ListingStatus.DRAFT
        with pytest.raises(StateConflict):
            change_state(stale, [ListingStatus.DRAFT], ListingStatus.SUBMITTED)
        db.session.rollback()
    with app.app_context():
        assert db.session.get(Product, product_id).status == ListingStatus.SUBMITTED


def test_values_are_written_with_the_state_and_seen_on_the_object(app, db, people):
    from market.catalog.models import ListingStatus, Product
    from market.state import change_state

    product_id = make_product(app, db, people, publish=False)
    with app.app_context(), app.test_request_context("/"):
        product = db.session.get(Product, product_id)
        change_state(product, [ListingStatus.DRAFT], ListingStatus.RETURNED, return_reason="too vague")
        assert product.return_reason == "too vague" and product.status == ListingStatus.RETURNED
        db.session.commit()
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert (product.status, product.return_reason) == (ListingStatus.RETURNED, "too vague")
