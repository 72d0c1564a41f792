"""The rules of a product, a stock change, a survey row and a bulletin issue live in the operations (issue 14).

The pages reach them in tests/test_catalog.py and tests/test_catalog_survey_and_bulletins.py. Here: the rules a form also
stops in the browser (text lengths, the choices of a list), which only a caller that skips the form (the API, a
command, a script) reaches, and the forms themselves, which only parse."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import make_product


def _person(db, email):
    from market.accounts.models import User

    return db.session.scalar(select(User).where(User.email == email))


def _fields(**overrides) -> dict:
    fields = {"name": "黑木耳", "category": "edible_fungi", "unit": "kg", "price": "68.00"}
    fields.update(overrides)
    return fields


@pytest.fixture()
def ctx(app):
    with app.app_context(), app.test_request_context("/"):
        yield


def _refused(call) -> str | None:
    """The field the operation's refusal names."""
    from market.rules import RuleError

    with pytest.raises(RuleError) as refused:
        call()
    return refused.value.field


@pytest.mark.parametrize("field, limit", [("name", 120), ("variety", 120), ("specification", 200),
                                          ("storage_note", 300), ("description", 4000),
                                          ("identification_number", 60), ("stranded_cause", 300)])
def test_creating_and_changing_a_product_refuse_text_past_its_limit(app, db, people, ctx, field, limit):
    from market.catalog import operations as ops
    from market.catalog.models import Product

    supplier = _person(db, people["supplier_qingyuan"])
    stranded = {"stranded": True, "stranded_since": "2020-02-10"}  # a cause is kept for stranded produce only
    assert _refused(lambda: ops.create_product(supplier.organisation, supplier,
                                               _fields(**stranded, **{field: "木" * (limit + 1)}), "0")) == field
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
    product = ops.create_product(supplier.organisation, supplier, _fields(**stranded, **{field: "木" * limit}), "0")
    assert getattr(product, field) == "木" * limit
    assert _refused(lambda: ops.update_product(product, supplier, {field: "木" * (limit + 1)})) == field


@pytest.mark.parametrize("changes, field", [
    ({"category": "furniture"}, "category"), ({"unit": "litre"}, "unit"), ({"linkage_mode": "charity"}, "linkage_mode"),
    ({"price": None}, "price"), ({"name": "   "}, "name"), ({"shelf_life_days": 3651}, "shelf_life_days"),
    ({"available_from": "next week"}, "available_from"),
])
def test_the_operation_reads_every_field_whoever_calls_it(app, db, people, ctx, changes, field):
    from market.catalog import operations as ops

    supplier = _person(db, people["supplier_qingyuan"])
    assert _refused(lambda: ops.create_product(supplier.organisation, supplier, _fields(**changes), "0")) == field


def test_a_new_product_read_from_text_gets_clean_values_and_the_defaults(app, db, people, ctx):
    from market.catalog import operations as ops
    from market.catalog.models import Category, LinkageMode, Unit

    supplier = _person(db, people["supplier_qingyuan"])
    product = ops.create_product(supplier.organisation, supplier,
                                 _fields(price="１２.5", variety="  ", linkage_mode="wage", stranded_cause=""), "３")
    assert (product.category, product.unit, product.linkage_mode) == (Category.EDIBLE_FUNGI, Unit.KG, LinkageMode.WAGE)
    assert product.price == Decimal("12.50") and product.unsold_quantity == Decimal("3")
    assert product.variety is None and product.stranded_cause is None
    assert product.min_order_quantity == Decimal("1") and product.households_linked == 0 and product.stranded is False


def test_a_stock_note_and_a_return_reason_have_their_limits(app, db, people, ctx):
    from market.catalog import operations as ops
    from market.catalog.models import Product

    product = db.session.get(Product, make_product(app, db, people, publish=False))
    supplier = _person(db, people["supplier_qingyuan"])
    assert _refused(lambda: ops.record_stock_change(product, supplier, "-1", "correction", "盘" * 301)) == "note"
    assert _refused(lambda: ops.record_stock_change(product, supplier, "5", "survey")) == "reason"
    assert ops.record_stock_change(product, supplier, "-1", "correction", "盘" * 300).balance_after == Decimal("99")
    ops.submit_product(product)
    office = _person(db, people["county_qingyuan"])
    assert _refused(lambda: ops.review_product(product, office, approve=False, reason="缺" * 1001)) == "reason"
    ops.review_product(product, office, approve=False, reason=" 缺少认定证书 ")
    assert product.return_reason == "缺少认定证书"


def test_a_survey_row_is_read_by_the_operation(app, db, people, ctx):
    from market.catalog import operations as ops
    from market.i18n import local_today

    office = _person(db, people["county_qingyuan"])
    county = office.organisation.county
    row = {"surveyed_on": "2020-03-01", "product_name": "土豆", "category": "vegetables", "unit": "kg",
           "unsold_quantity": "100"}
    assert _refused(lambda: ops.add_survey_row(county, office, dict(row, township="镇" * 81))) == "township"
    assert _refused(lambda: ops.add_survey_row(county, office, dict(row, category="stones"))) == "category"
    tomorrow = local_today() + timedelta(days=1)
    assert _refused(lambda: ops.add_survey_row(county, office, dict(row, surveyed_on=tomorrow))) == "surveyed_on"
    saved = ops.add_survey_row(county, office, dict(row, village=" 王家堡村 "))
    assert saved.unsold_quantity == Decimal("100") and saved.poor_households == 0 and saved.village == "王家堡村"


def test_an_issue_note_has_its_limit(app, db, people, ctx):
    from market.bulletins import operations as ops
    from market.i18n import local_today

    office = _person(db, people["county_qingyuan"])
    county = office.organisation.county
    assert _refused(lambda: ops.publish_issue(county, office, local_today(), "注" * 2001)) == "note"
    assert _refused(lambda: ops.publish_issue(county, office, None)) == "issue_date"
    assert ops.publish_issue(county, office, local_today(), "  欢迎采购 ").note == "欢迎采购"


def test_the_forms_only_parse():
    """No form repeats a rule of its operation; lengths stay (read from the operations' tables), so that the
    browser stops at them too."""
    from wtforms.validators import Length, Optional

    from market.bulletins.forms import PublishForm
    from market.catalog.forms import NewProductForm, ReviewForm, StockForm, SurveyRowForm

    for form in (NewProductForm, StockForm, ReviewForm, SurveyRowForm, PublishForm):
        fields = {name: getattr(form, name) for name in dir(form) if hasattr(getattr(form, name), "field_class")}
        assert fields, form.__name__
        for name, field in fields.items():
            validators = field.kwargs.get("validators", [])
            assert all(isinstance(v, Length | Optional) for v in validators), (form.__name__, name)
            assert not hasattr(form, f"validate_{name}"), (form.__name__, name)
