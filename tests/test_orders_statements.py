"""How many SQL statements placing an order costs (issue 15): pinned, so a change that reads or writes row by row
again shows here. Counted with `count_queries` (every statement sent to the database, executemany batches once)."""

from __future__ import annotations

from decimal import Decimal

from market.extensions import db as _db
from tests.conftest import bearer_headers
from tests.factories import make_product, user_by_email

#: A one-line order through the operation, and what each further line may add. 9, not 8: the suppliers' new-order
#: messages are now written by the placement itself (one INSERT … SELECT for all its orders, issue 17), so a
#: rolled-back placement leaves none.
ONE_LINE = 9
PER_LINE = 2
#: The whole `POST /api/v1/orders` of one line: the token read and its last use (written at most once a minute,
#: here a new token's first), placing (9, its suppliers' messages included), the answer (from memory: none); nothing
#: after the commit (the e-mails go out from the outbox, `notifications deliver`).
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
    assert counted.n <= WHOLE_REQUEST, counted.statements
    # Within the minute the token's last use is not written again.
    body = {"lines": [{"product_id": product, "quantity": "2"}], "client_token": "api-2"}
    with count_queries() as again:
        assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    assert again.n <= WHOLE_REQUEST - 1 and not any("UPDATE api_tokens" in s for s in again.statements)


def test_the_rows_written_in_bulk_are_the_rows_written_one_by_one(app, db, people):
    """Orders, lines, events, ledger entries and audit entries carry what the unit of work used to write: each
    order's creation and each stock change audited by the person who placed it, each ledger entry naming its
    order, the unsold quantity the ledger's sum."""
    from sqlalchemy import select

    from market.audit.models import AuditEntry
    from market.catalog.models import StockEntry
    from market.orders.models import Order, OrderEvent
    from tests.factories import ledger_sum

    products = _products(app, db, people, 3)  # two from one supplier, one from the other
    headers = bearer_headers(app, people["buyer_party"])
    body = {"lines": [{"product_id": pid, "quantity": "2"} for pid in reversed(products)], "client_token": "c-1"}
    response = app.test_client().post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    answered = response.get_json()["orders"]
    with app.app_context():
        buyer = user_by_email(db, people["buyer_party"])
        orders = list(db.session.scalars(select(Order).order_by(Order.id)))
        assert [o["id"] for o in answered] == [o.id for o in orders] and len(orders) == 2
        assert [o["reference"] for o in answered] == [o.reference for o in orders]
        assert [[line["product_id"] for line in o["lines"]] for o in answered] == \
            [[line.product_id for line in o.lines] for o in orders]
        assert {o["county"] for o in answered} == {"qingyuan", "xinbin"}
        assert all(o["total_amount"] == str(sum(line.line_total for line in order.lines))
                   for o, order in zip(answered, orders))
        events = list(db.session.scalars(select(OrderEvent).order_by(OrderEvent.id)))
        assert [(e.order_id, e.action, e.actor_id, e.to_status.value) for e in events] == \
            [(o.id, "place", buyer.id, "placed") for o in orders]
        entries = list(db.session.scalars(select(StockEntry).where(StockEntry.order_id.is_not(None))
                                          .order_by(StockEntry.product_id)))
        by_product = {line.product_id: order for order in orders for line in order.lines}
        assert [(e.product_id, e.delta, e.balance_after, e.reason.value, e.order_id, e.note, e.actor_id)
                for e in entries] == [(pid, Decimal("-2"), Decimal("98"), "order_reserved", by_product[pid].id,
                                       by_product[pid].reference, buyer.id) for pid in sorted(products)]
        audited = [a for a in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                   if a.action == "orders.create" or a.changes.get("reason") == [None, "order_reserved"]]
        assert [(a.action, a.object_id, a.changes) for a in audited] == [
            ("orders.create", o.id, {"status": [None, "placed"], "payment_status": [None, "unpaid"],
                                     "total_amount": [None, str(o.total_amount)]}) for o in orders
        ] + [("products.stock", pid, {"unsold_quantity": ["100.000", "98.000"], "reason": [None, "order_reserved"]})
             for pid in sorted(products)]
        assert {(a.actor_id, a.actor_organisation_id) for a in audited} == {(buyer.id, buyer.organisation_id)}
    assert all(ledger_sum(app, db, pid) == Decimal("98") for pid in products)


def test_a_shortage_in_the_last_line_leaves_nothing_and_a_repeat_answers_the_first(app, db, people):
    from sqlalchemy import func, select

    from market.audit.models import AuditEntry
    from market.catalog.models import StockEntry
    from market.orders.models import BulkOrder, Order, OrderLine
    from tests.factories import get_product

    products = _products(app, db, people, 2)
    headers = bearer_headers(app, people["buyer_party"])
    client = app.test_client()

    def counts():
        with app.app_context():
            return [db.session.scalar(select(func.count()).select_from(model))
                    for model in (BulkOrder, Order, OrderLine, StockEntry, AuditEntry)]

    before = counts()
    short = {"lines": [{"product_id": products[0], "quantity": "2"}, {"product_id": products[1], "quantity": "101"}],
             "client_token": "s-1"}
    assert client.post("/api/v1/orders", json=short, headers=headers).status_code == 409
    assert counts() == before and get_product(app, db, products[0]).unsold_quantity == Decimal("100")
    body = {"lines": [{"product_id": products[1], "quantity": "100"}], "client_token": "s-1"}
    first = client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/orders", json=body, headers=headers)  # sold out now: still the first placement
    assert again.status_code == 200 and again.get_json() == first.get_json()


def test_a_row_created_through_the_unit_of_work_is_audited_with_its_id(app, db, people):
    """The flush's own audit entries name the row created (they named none before placing wrote its own)."""
    from sqlalchemy import select

    from market.audit.models import AuditEntry

    product = make_product(app, db, people)
    with app.app_context():
        created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "products.create"))
        assert created is not None and created.object_id == product
