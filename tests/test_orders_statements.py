"""How many SQL statements placing an order costs (issue 15): pinned, so a change that reads or writes row by row
again shows here. Counted with `count_queries` (every statement sent to the database, executemany batches once)."""

from __future__ import annotations

from decimal import Decimal

from market.extensions import db as _db
from tests.conftest import bearer_headers
from tests.factories import make_product, user_by_email

#: A one-line order through the operation, and what each further line may add.
ONE_LINE = 8
PER_LINE = 2
#: The whole `POST /api/v1/orders` of one line: the token, placing, the answer and the notice after the commit.
WHOLE_REQUEST = 11


def _products(app, db, people, n):
    roles = ["supplier_qingyuan", "supplier_xinbin"]
    return [make_product(app, db, people, roles[i % 2], name=f"产品{i}", stock="100", price=Decimal("2.50"))
            for i in range(n)]


def _place(app, db, people, count_queries, product_ids, token):
    from market.orders import operations as ops

    with app.app_context(), app.test_request_context("/"):
        person = user_by_email(db, people["buyer_party"])
        organisation = person.organisation
        with count_queries() as counted:
            bulk, created = ops.place_order(organisation, person,
                                            [ops.LineRequest(pid, Decimal("2")) for pid in product_ids], token)
        _db.session.commit()
        assert created and sum(len(order.lines) for order in bulk.orders) == len(product_ids)
    return counted


def test_a_one_line_order_costs_a_handful_of_statements_and_each_line_few_more(app, db, people, count_queries):
    products = _products(app, db, people, 4)
    one = _place(app, db, people, count_queries, products[:1], "one")
    four = _place(app, db, people, count_queries, products, "four")
    print(one.n, four.n, *four.statements, sep="\n")
    assert one.n <= ONE_LINE, one.statements
    assert four.n - one.n <= 3 * PER_LINE, four.statements


def test_the_whole_api_request_stays_within_its_bound(app, db, people, count_queries):
    [product] = _products(app, db, people, 1)
    headers = bearer_headers(app, people["buyer_party"])
    client = app.test_client()
    body = {"lines": [{"product_id": product, "quantity": "2"}], "client_token": "api-1"}
    with count_queries() as counted:
        response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    print(counted.n, *counted.statements, sep="\n")
    assert counted.n <= WHOLE_REQUEST, counted.statements
