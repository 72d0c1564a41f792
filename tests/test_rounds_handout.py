"""The hand-out of an ordered staff round (issue 18, "Hand-out"): the list per pick-up place adds up to the order,
ticks for paid and handed out are each one conditional UPDATE (a double click records once), the treasurer's list
of what is still owed, the PDF, and the phone markup; organisers only."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests import factories
from tests.conftest import post_form, run_together, sign_in
from tests.rounds_closing_builder import act, build_round, staff
from tests.test_templates_cards import _Main


@pytest.fixture()
def ordered(app, db, people):
    """An ordered round of 小米 (¥45.00 a bag, 10 left) and 蘑菇 (¥3.33 a kg): 张三 and 李四 collect at the hall,
    王五 in the meeting room; 李四 was cut to 2 bags of the 4 asked."""
    from market.rounds import closing

    millet = factories.make_product(app, db, people, "supplier_qingyuan", name="小米", unit="bag", stock="10",
                                    price=D("45.00"))
    mushroom = factories.make_product(app, db, people, "supplier_xinbin", name="蘑菇", stock="100",
                                      price=D("3.33"), min_order_quantity=D("0.5"))
    crew = staff(app, db, people, ["张三", "李四", "王五"])
    round_id = build_round(app, db, people, [(millet, None), (mushroom, None)], [
        (crew["张三"], {0: 8, 1: D("0.5")}, 0, 0), (crew["李四"], {0: 4, 1: D("0.5")}, 0, 1),
        (crew["王五"], {1: D("0.5")}, 1, 2)])
    act(app, db, people["buyer_party"], round_id,
        lambda user, r: closing.close_and_place(user, r, accept_cuts=True))
    return {"round_id": round_id, "crew": crew, "millet": millet, "mushroom": mushroom}


def _handout(app, db, round_id):
    from market.rounds.handout import handout
    from market.rounds.models import PurchaseRound

    with app.app_context():
        return handout(db.session.get(PurchaseRound, round_id))


def _signup(app, db, round_id, user_id):
    from market.rounds.models import RoundSignup

    with app.app_context():
        signup = db.session.scalar(select(RoundSignup).where(RoundSignup.round_id == round_id,
                                                             RoundSignup.user_id == user_id))
        db.session.expunge(signup)
        return signup


def _audit(app, db, action):
    from market.audit.models import AuditEntry

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_the_list_per_place_adds_up_to_the_order(app, db, people, ordered):
    h = _handout(app, db, ordered["round_id"])
    assert [place.name for place in h.places] == ["机关一楼大厅", "二号楼会议室"]
    hall, room = h.places
    assert [(p.name, p.amount) for p in hall.people] == [("张三", D("361.67")), ("李四", D("91.67"))]
    assert [(p.name, p.amount) for p in room.people] == [("王五", D("1.66"))]  # the fen left go to the earlier lines
    # 10 bags × ¥45 + 1.5 kg × ¥3.33 = 450 + 4.995 → ¥455.00 as the orders say, to the fen
    assert h.total == D("455.00") == h.orders_total and h.matches
    assert [(i.name, i.asked, i.quantity) for i in hall.people[1].items] == [("小米", D(4), D(2)),
                                                                             ("蘑菇", D("0.5"), D("0.5"))]
    assert hall.total == D("453.34") and room.total == D("1.66") and h.owed == h.total


def test_a_cancelled_order_shows_a_warning_that_the_list_does_not_add_up(app, db, people, client, login, ordered):
    from market.rounds.models import PurchaseRound

    with app.app_context():
        orders = db.session.get(PurchaseRound, ordered["round_id"]).bulk_order.orders
        millet_order = next(o.id for o in orders if o.lines[0].product_id == ordered["millet"])
    factories.act_on_order(app, db, people["supplier_qingyuan"], millet_order, "reject", {"reason": "已售完"})
    assert not _handout(app, db, ordered["round_id"]).matches
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/rounds/{ordered['round_id']}/handout").get_data(as_text=True)
    assert "does not add up to the order" in page


def test_the_page_is_phone_ready_with_a_label_on_every_cell(app, db, people, client, login, ordered):
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for path in (f"/rounds/{ordered['round_id']}/handout", "/rounds/owed"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = _Main()
        page.feed(response.get_data(as_text=True))
        assert page.cells and all((cell.get("data-label") or "").strip() or "empty" in (cell.get("class") or "")
                                  for cell in page.cells), path
    html = client.get(f"/rounds/{ordered['round_id']}/handout").get_data(as_text=True)
    assert "138 0413 0001" in html and "第2科" in html and "The list adds up to the order: ¥455.00" in html
    assert html.count('class="button tick-button') == 6 and 'class="print-only"' in html


def test_ticks_paid_and_handed_out_from_a_phone_and_a_double_click_records_once(
        app, db, people, client, login, ordered):
    round_id, crew = ordered["round_id"], ordered["crew"]
    signup = _signup(app, db, round_id, crew["李四"])
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    path = f"/rounds/{round_id}/handout/{signup.id}/paid"
    first = post_form(client, path, token_from=f"/rounds/{round_id}/handout")
    assert first.status_code == 302 and first.headers["Location"].endswith(f"#signup-{signup.id}")
    paid_at = _signup(app, db, round_id, crew["李四"]).paid_at
    assert paid_at is not None
    again = post_form(client, path, token_from=f"/rounds/{round_id}/handout", follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    assert _signup(app, db, round_id, crew["李四"]).paid_at == paid_at
    assert _audit(app, db, "purchase_rounds.paid") == 1

    post_form(client, f"/rounds/{round_id}/handout/{signup.id}/handed", token_from=f"/rounds/{round_id}/handout")
    assert _signup(app, db, round_id, crew["李四"]).handed_out_at is not None
    h = _handout(app, db, round_id)
    assert h.paid == D("91.67") and h.owed == h.total - D("91.67") and h.places[0].handed_out == 1

    post_form(client, f"/rounds/{round_id}/handout/{signup.id}/unpaid", token_from=f"/rounds/{round_id}/handout")
    assert _signup(app, db, round_id, crew["李四"]).paid_at is None
    assert _audit(app, db, "purchase_rounds.unpaid") == 1


def test_simultaneous_ticks_record_once(app, db, people, ordered):
    from market.rounds import handout

    signup = _signup(app, db, ordered["round_id"], ordered["crew"]["张三"])

    def tick():
        from market.rounds.models import RoundSignup

        return act(app, db, people["buyer_party"], ordered["round_id"],
                   lambda user, _r: handout.mark(user, db.session.get(RoundSignup, signup.id), "paid"))

    assert sorted(run_together([tick] * 6)) == [False] * 5 + [True]
    assert _audit(app, db, "purchase_rounds.paid") == 1


def test_ticks_wait_for_the_order_and_are_for_organisers_only(app, db, people, client, login, ordered):
    from market.rounds import handout

    millet = factories.make_product(app, db, people, name="木耳", stock="5")
    crew = staff(app, db, people, ["赵六"])
    open_round = build_round(app, db, people, [(millet, None)], [(crew["赵六"], {0: 1}, 0, 0)])
    signup = _signup(app, db, open_round, crew["赵六"])
    with pytest.raises(handout.RuleError):
        act(app, db, people["buyer_party"], open_round, lambda user, r: handout.mark(user, r.signups[0], "paid"))
    assert _signup(app, db, open_round, crew["赵六"]).paid_at is None

    round_id = ordered["round_id"]
    staff_member = app.test_client()
    with app.app_context():
        staff_email = db.session.get(factories.User, ordered["crew"]["张三"]).email
    sign_in(staff_member, staff_email)
    assert staff_member.get(f"/rounds/{round_id}/handout").status_code == 403
    assert staff_member.get("/rounds/owed").status_code == 403
    other = app.test_client()
    login("buyer_school", other)
    assert other.get(f"/rounds/{round_id}/handout").status_code == 404
    assert other.get(f"/rounds/{round_id}/handout.pdf").status_code == 404
    mine = _signup(app, db, round_id, ordered["crew"]["张三"])
    assert post_form(other, f"/rounds/{round_id}/handout/{mine.id}/paid", token_from="/").status_code == 404
    # a sign-up of another round through this round's address is not found
    login("buyer_party")
    assert post_form(client, f"/rounds/{round_id}/handout/{signup.id}/paid", token_from="/").status_code == 404
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="treasurer@example.com", role="member")
        db.session.commit()
    treasurer = app.test_client()
    sign_in(treasurer, "treasurer@example.com")
    assert post_form(treasurer, f"/rounds/{round_id}/handout/{mine.id}/paid",
                     token_from=f"/rounds/{round_id}/handout").status_code == 302
    assert _signup(app, db, round_id, ordered["crew"]["张三"]).paid_at is not None


def test_the_treasurer_sees_what_is_still_owed_per_round_and_person(app, db, people, client, login, ordered):
    round_id, crew = ordered["round_id"], ordered["crew"]
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/rounds/owed").get_data(as_text=True)
    assert "张三" in page and "¥361.67" in page and "¥455.00" in page
    signup = _signup(app, db, round_id, crew["张三"])
    post_form(client, f"/rounds/{round_id}/handout/{signup.id}/paid", token_from=f"/rounds/{round_id}/handout")
    page = client.get("/rounds/owed").get_data(as_text=True)
    assert "张三" not in page and "¥93.33" in page  # 91.67 + 1.66


def test_the_pdf_renders_with_names_and_totals(app, db, people, client, login, ordered):
    login("buyer_party")
    response = client.get(f"/rounds/{ordered['round_id']}/handout.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "张三" in text and "361.67" in text and "455.00" in text


def test_a_round_not_yet_ordered_has_no_list_yet(app, db, people, client, login):
    millet = factories.make_product(app, db, people, name="木耳", stock="5")
    round_id = build_round(app, db, people, [(millet, None)])
    login("buyer_party")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "ready once the round is ordered" in client.get(f"/rounds/{round_id}/handout").get_data(as_text=True)
