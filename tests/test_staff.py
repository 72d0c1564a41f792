"""A unit's staff (issue 18, part A): managers add staff members one by one or from an XLSX list (all or nothing),
let colleagues ask to join through the unit's invitation link and approve or refuse them (once, whatever the
number of clicks), and deactivate or reactivate them; nobody else manages a unit's staff."""

from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from market.accounts.models import Role, User
from tests import factories
from tests.conftest import post_form, run_together, sign_in, signed_in_session

HEADERS = ["姓名", "手机", "邮箱", "部门"]


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _xlsx(rows, headers=HEADERS) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, body: bytes, name="staff.xlsx"):
    return post_form(client, "/staff/import", {"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")


def _staff(app, db, email) -> list[User]:
    with app.app_context():
        org_id = factories.user_by_email(db, email).organisation_id
        people = db.session.scalars(select(User).where(User.organisation_id == org_id, User.role == Role.STAFF)
                                    .order_by(User.id)).all()
        for person in people:
            db.session.expunge(person)
        return people


def _user_count(app, db) -> int:
    return factories.count_rows(app, db, User)


# --- adding one ------------------------------------------------------------------------------------------------


def test_a_manager_adds_a_staff_member_who_signs_in_with_the_temporary_password_shown_once(
        app, db, people, client, login):
    _english(login("buyer_party"))
    response = post_form(client, "/staff/new", {"name": "张三", "email": "Zhang.San@Example.com",
                                                "phone": "138 0413 0000", "department": "办公室"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    password = re.search(r'<code class="nowrap">([^<]+)</code>', page).group(1)
    [person] = _staff(app, db, people["buyer_party"])
    assert (person.name, person.email, person.phone, person.department) == ("张三", "zhang.san@example.com",
                                                                            "138 0413 0000", "办公室")
    assert person.must_change_password and password not in person.password_hash
    listing = client.get("/staff/").get_data(as_text=True)
    assert "张三" in listing and "办公室" in listing and "Never" in listing

    staff_client = app.test_client()
    response = sign_in(staff_client, "zhang.san@example.com", password)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "a@example.com"}, "Enter the name."),
    ({"name": "李四", "email": "not-an-address"}, "is not a valid e-mail address"),
    ({"name": "李四", "email": "a@example.com", "phone": "call me"}, "Enter a phone number of digits"),
    ({"name": "李四", "email": "a@example.com", "department": "部" * 81}, "At most 80 characters"),
])
def test_bad_details_are_refused_beside_the_form_and_nobody_is_added(app, db, people, client, login, data, message):
    _english(login("buyer_party"))
    response = post_form(client, "/staff/new", data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert _staff(app, db, people["buyer_party"]) == []


def test_an_email_used_anywhere_on_the_site_is_refused_clearly(app, db, people, client, login):
    _english(login("buyer_party"))
    response = post_form(client, "/staff/new", {"name": "重名", "email": people["firm"].upper()},
                         follow_redirects=True)
    assert "An account with this email already exists." in response.get_data(as_text=True)
    assert _staff(app, db, people["buyer_party"]) == []


# --- importing a list ------------------------------------------------------------------------------------------


def test_a_good_list_adds_everyone_with_passwords_on_the_page_and_in_a_csv(app, db, people, client, login):
    _english(login("buyer_party"))
    body = _xlsx([["王五", 13804130001, "wang5@example.com", "财务科"], [None, None, None, None],
                  ["赵六", "024-5712 3456", "ZHAO6@example.com", None]])
    response = _upload(client, body)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    staff = _staff(app, db, people["buyer_party"])
    assert [(p.name, p.email, p.phone, p.department) for p in staff] == [
        ("王五", "wang5@example.com", "13804130001", "财务科"), ("赵六", "zhao6@example.com", "024-5712 3456", None)]
    csv_file = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="staff-passwords.csv"', page)
    lines = base64.b64decode(csv_file.group(1)).decode("utf-8-sig").splitlines()
    assert lines[0] == "Name,Email,Department,Temporary password" and len(lines) == 3
    name, email, _department, password = lines[2].split(",")
    assert (name, email) == ("赵六", "zhao6@example.com") and password in page
    assert sign_in(app.test_client(), email, password).status_code == 302


def test_english_headers_in_another_order_are_read(app, db, people, client, login):
    login("buyer_party")
    body = _xlsx([["dept A", "a1@example.com", "Alice"]], headers=["Department", "E-mail", "Name"])
    assert _upload(client, body).status_code == 200
    assert [(p.name, p.department) for p in _staff(app, db, people["buyer_party"])] == [("Alice", "dept A")]


def test_one_bad_row_adds_nobody_and_the_preview_names_each_rows_problems(app, db, people, client, login):
    _english(login("buyer_party"))
    before = _user_count(app, db)
    body = _xlsx([["王五", "13804130001", "wang5@example.com", "财务科"],
                  [None, "13804130002", "noname@example.com", None],
                  ["坏邮箱", None, "wang5(at)example", None],
                  ["坏电话", "电话号码", "badphone@example.com", None],
                  ["重复", None, "WANG5@example.com", None],
                  ["已有", None, people["firm"], None]])
    response = _upload(client, body)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nobody was added: 5 rows have a problem." in page
    assert "Enter the name." in page
    assert "is not a valid e-mail address" in page
    assert "Enter a phone number of digits" in page
    assert "The e-mail wang5@example.com is also in row 2." in page
    assert f"An account with the e-mail {people['firm']} already exists on the site." in page
    assert _user_count(app, db) == before


def test_a_file_that_is_not_xlsx_is_refused_clearly(app, db, people, client, login):
    _english(login("buyer_party"))
    for body, name in [(b"name,email\nA,a@example.com\n", "staff.xlsx"), (b"\x89PNG\r\n\x1a\n0000", "x.png"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls"), (b"PK\x03\x04broken", "z.xlsx")]:
        response = _upload(client, body, name)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "This file is not an XLSX spreadsheet" in page or "old Excel file (.xls)" in page
    assert _staff(app, db, people["buyer_party"]) == []


def test_a_list_without_name_and_email_headers_is_refused(app, db, people, client, login):
    _english(login("buyer_party"))
    response = _upload(client, _xlsx([["a", "b"]], headers=["foo", "bar"]))
    assert response.status_code == 422 and "The first row must name the columns" in response.get_data(as_text=True)


def test_too_many_rows_are_refused_and_nobody_is_added(app, db, people, client, login, monkeypatch):
    from market.staff import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    _english(login("buyer_party"))
    body = _xlsx([[f"人{i}", None, f"p{i}@example.com", None] for i in range(4)])
    response = _upload(client, body)
    assert response.status_code == 422 and "The list has more than 3 people." in response.get_data(as_text=True)
    assert _staff(app, db, people["buyer_party"]) == []
    assert _upload(client, _xlsx([[f"人{i}", None, f"p{i}@example.com", None] for i in range(3)])).status_code == 200


def test_five_hundred_rows_import_and_a_far_away_row_does_not_make_the_reader_walk(app, db, people, client, login):
    from openpyxl import Workbook

    login("buyer_party")
    body = _xlsx([[f"职工{i}", None, f"s{i}@example.com", "部门"] for i in range(500)])
    assert _upload(client, body).status_code == 200
    assert len(_staff(app, db, people["buyer_party"])) == 500

    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.cell(row=1_000_000, column=1, value="远处")
    out = io.BytesIO()
    workbook.save(out)
    _english(client)
    response = _upload(client, out.getvalue())
    assert response.status_code == 422 and "The sheet goes on past row" in response.get_data(as_text=True)


#: Hand-written files (the sheet and shared strings as XML, as the survey's hostile files are made), each with
#: what the refusal says in English.
HOSTILE_LISTS = {
    "cell in column XFD": ("cells", "The sheet reaches column 16384; columns past 100 are not allowed."),
    "shared string of 7 million characters": ("huge", "A cell holds more than 300 characters"),
    "shared string of 301 characters": ("strings", "A cell holds more than 300 characters"),
    "cell of 301 characters": ("inline", "Row 2 has a cell of more than 300 characters."),
    "row numbered a billion": ("far", "The sheet goes on past row 2000."),
    "dimension to row a million": ("dimension", "The sheet goes on past row 2000."),
    "501 people": ("many", "The list has more than 500 people."),
}


def _handmade_list(case: str) -> bytes:
    from tests.test_security_uploads_and_links import _row, _xlsx

    person = ["王五", None, "wang5@example.com", "财务科"]
    shared = [_row(1, HEADERS), _row(2, [("s", 0), None, "wang5@example.com"])]
    files = {
        "cells": lambda: _xlsx([_row(1, HEADERS), _row(2, person), _row(3, ["x"], start_column=16384)]),
        "huge": lambda: _xlsx(shared, huge_strings=7_000_000),
        "strings": lambda: _xlsx(shared, strings=["王" * 301]),
        "inline": lambda: _xlsx([_row(1, HEADERS), _row(2, ["王" * 301, None, "wang5@example.com"])]),
        "far": lambda: _xlsx([_row(1, HEADERS), _row(2, person), _row(1_000_000_000, person)]),
        "dimension": lambda: _xlsx([_row(1, HEADERS), _row(2, person)], dimension="A1:D1000000"),
        "many": lambda: _xlsx([_row(1, HEADERS)] + [_row(n, [f"人{n}", None, f"p{n}@example.com"])
                                                     for n in range(2, 503)], dimension="A1:D502"),
    }
    return files[HOSTILE_LISTS[case][0]]()


@pytest.mark.parametrize("case", list(HOSTILE_LISTS))
def test_a_hostile_list_is_refused_before_it_is_read_saying_which_limit(app, db, people, client, login, case):
    _english(login("buyer_party"))
    body = _handmade_list(case)
    assert len(body) < 200_000  # small uploads that would cost openpyxl far more
    response = _upload(client, body)
    assert response.status_code == 422 and HOSTILE_LISTS[case][1] in response.get_data(as_text=True)
    assert _staff(app, db, people["buyer_party"]) == []


def test_a_handmade_list_with_shared_strings_is_read(app):
    from market.staff import spreadsheet
    from tests.test_security_uploads_and_links import _row, _xlsx

    body = _xlsx([_row(1, HEADERS), _row(2, [("s", 0), None, ("s", 1), None]), _row(2_000, ["赵六", None,
                  "zhao6@example.com"])], dimension="A1:D2000", strings=["王五", "wang5@example.com"])
    with app.test_request_context():
        assert spreadsheet.read_rows(body) == [
            (2, {"name": "王五", "phone": None, "email": "wang5@example.com", "department": None}),
            (2_000, {"name": "赵六", "phone": None, "email": "zhao6@example.com", "department": None})]


def test_an_upload_past_the_size_limit_is_413(app, people, client, login):
    from tests.conftest import csrf_token

    login("buyer_party")
    # The body is built by hand: the test client would spool a large file to a temp file it never closes.
    boundary = "x-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf_token(client, '/staff/import')}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"big.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + b"0" * (
        app.config["STAFF_LIST_MAX_BYTES"] + 10) + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/staff/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413


def test_the_template_reads_back_as_an_empty_list(app, people, client, login):
    from market.staff import spreadsheet

    login("buyer_party")
    response = client.get("/staff/import-template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert spreadsheet.read_rows(response.data) == []


# --- the invitation link ---------------------------------------------------------------------------------------


def _make_link(client) -> str:
    post_form(client, "/staff/invitation", {"current": _current(client)})
    page = client.get("/staff/invitation").get_data(as_text=True)
    return re.search(r'href="http://localhost(/staff/join/[0-9a-f]+)"', page).group(1)


def _current(client) -> str:
    page = client.get("/staff/invitation").get_data(as_text=True)
    return re.search(r'name="current" value="([^"]*)"', page).group(1)


JOIN = {"name": "钱七", "email": "qian7@example.com", "phone": "13904130000", "department": "办公室",
        "password": "a-long-password", "password_again": "a-long-password"}


def _request_id(app, db, email="qian7@example.com"):
    from market.staff.models import StaffRequest

    with app.app_context():
        return db.session.scalar(select(StaffRequest.id).where(StaffRequest.email == email))


def test_a_colleague_joins_through_the_link_and_signs_in_only_once_approved(app, db, people, client, login):
    from market.notifications.models import Notification

    _english(login("buyer_party"))
    link = _make_link(client)
    page = client.get("/staff/invitation").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code

    visitor = _english(app.test_client())
    assert visitor.get(link).status_code == 200
    response = post_form(visitor, link, JOIN)
    assert response.status_code == 200 and "Request sent" in response.get_data(as_text=True)
    assert sign_in(app.test_client(), JOIN["email"], JOIN["password"]).status_code == 200  # refused: no account
    with app.app_context():
        manager = factories.user_by_email(db, people["buyer_party"])
        [message] = db.session.scalars(select(Notification).where(Notification.kind == "staff.join_requested"))
        assert message.recipient_id == manager.id

    assert "钱七" in client.get("/staff/").get_data(as_text=True)
    request_id = _request_id(app, db)
    assert post_form(client, f"/staff/requests/{request_id}/approve", token_from="/staff/").status_code == 302
    [person] = _staff(app, db, people["buyer_party"])
    assert (person.name, person.department, person.must_change_password) == ("钱七", "办公室", False)
    signed_in = app.test_client()
    assert sign_in(signed_in, JOIN["email"], JOIN["password"]).status_code == 302
    from market.audit.models import AuditEntry
    from market.staff.models import StaffRequest

    with app.app_context():
        assert db.session.get(StaffRequest, request_id).password_hash is None  # kept only while it waited
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"staff_invitations.create", "staff_requests.create", "staff_requests.update", "users.create"} <= actions
        welcome = db.session.scalar(select(Notification).where(Notification.kind == "staff.join_approved"))
        assert welcome.recipient_id == person.id
    assert signed_in.get("/orders/").status_code == 403


def test_a_double_request_makes_one_and_a_taken_email_is_refused(app, db, people, client, login):
    _english(login("buyer_party"))
    link = _make_link(client)
    visitor = _english(app.test_client())
    assert post_form(visitor, link, JOIN).status_code == 200
    again = post_form(visitor, link, JOIN, follow_redirects=True)
    assert "A request with this e-mail address is already waiting" in again.get_data(as_text=True)
    taken = post_form(visitor, link, {**JOIN, "email": people["firm"]}, follow_redirects=True)
    assert "An account with this e-mail address already exists" in taken.get_data(as_text=True)
    from market.staff.models import StaffRequest

    assert factories.count_rows(app, db, StaffRequest) == 1


def test_a_manager_refuses_with_a_reason_and_no_account_is_made(app, db, people, client, login):
    _english(login("buyer_party"))
    link = _make_link(client)
    post_form(_english(app.test_client()), link, JOIN)
    request_id = _request_id(app, db)
    page = client.get(f"/staff/requests/{request_id}/refuse").get_data(as_text=True)
    assert "Refuse the request of 钱七?" in page
    no_reason = post_form(client, f"/staff/requests/{request_id}/refuse", {"reason": ""}, follow_redirects=True)
    assert "Say why the request is refused." in no_reason.get_data(as_text=True)
    assert post_form(client, f"/staff/requests/{request_id}/refuse", {"reason": "不是本单位职工"}).status_code == 302
    from market.staff.models import StaffRequest, StaffRequestStatus

    with app.app_context():
        decided = db.session.get(StaffRequest, request_id)
        assert (decided.status, decided.reason, decided.password_hash) == (StaffRequestStatus.REFUSED,
                                                                           "不是本单位职工", None)
    assert _staff(app, db, people["buyer_party"]) == []
    again = post_form(client, f"/staff/requests/{request_id}/approve", token_from="/staff/", follow_redirects=True)
    assert "This request was already decided." in again.get_data(as_text=True)
    assert _staff(app, db, people["buyer_party"]) == []


def test_a_renewed_or_revoked_link_answers_no_longer_valid(app, db, people, client, login):
    _english(login("buyer_party"))
    old = _make_link(client)
    new = _make_link(client)
    assert old != new
    visitor = _english(app.test_client())
    response = visitor.get(old)
    assert response.status_code == 404 and "This link is no longer valid" in response.get_data(as_text=True)
    assert post_form(visitor, old, JOIN, token_from="/login").status_code == 404
    assert visitor.get(new).status_code == 200
    assert post_form(client, "/staff/invitation/revoke", token_from="/staff/invitation").status_code == 302
    assert visitor.get(new).status_code == 404
    assert visitor.get("/staff/join/" + "0" * 40).status_code == 404
    # A stale renew form (the link it saw is gone) changes nothing.
    stale = post_form(client, "/staff/invitation", {"current": "999999"}, follow_redirects=True)
    assert "renewed or revoked in the meantime" in stale.get_data(as_text=True)


def test_the_link_stores_only_a_hash_of_its_token(app, db, people, client, login):
    from market.staff.models import StaffInvitation

    login("buyer_party")
    token = _make_link(client).rsplit("/", 1)[1]
    with app.app_context():
        invitation = db.session.scalar(select(StaffInvitation))
        assert token not in (invitation.nonce, invitation.token_hash)


def test_two_managers_approving_at_once_make_exactly_one_account(app, db, people, client, login, live_server):
    from market.staff.models import StaffRequest, StaffRequestStatus

    _english(login("buyer_party"))
    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="second-manager@example.com", role="manager")
        db.session.commit()
    link = _make_link(client)
    post_form(_english(app.test_client()), link, JOIN)
    request_id = _request_id(app, db)
    sessions = [signed_in_session(live_server, email) for email in
                (people["buyer_party"], "second-manager@example.com") * 3]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', s.get(live_server + "/staff/").text).group(1)
              for s in sessions]

    def approve(session, token):
        return lambda: session.post(f"{live_server}/staff/requests/{request_id}/approve",
                                    data={"csrf_token": token}, allow_redirects=False, timeout=60).status_code

    codes = run_together([approve(s, t) for s, t in zip(sessions, tokens)])

    assert codes == [302] * len(sessions)  # the losers are sent back with "already decided"
    assert len(_staff(app, db, people["buyer_party"])) == 1
    with app.app_context():
        assert db.session.get(StaffRequest, request_id).status == StaffRequestStatus.APPROVED
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == JOIN["email"])) == 1


# --- deactivating ----------------------------------------------------------------------------------------------


def test_a_manager_deactivates_after_confirming_and_reactivates(app, db, people, client, login):
    _english(login("buyer_party"))
    post_form(client, "/staff/new", {"name": "孙八", "email": "sun8@example.com"})
    [person] = _staff(app, db, people["buyer_party"])
    page = client.get(f"/staff/{person.id}/deactivate").get_data(as_text=True)
    assert "Deactivate 孙八?" in page and "sun8@example.com" in page
    assert post_form(client, f"/staff/{person.id}/deactivate", token_from=f"/staff/{person.id}/deactivate"
                     ).status_code == 302
    assert _staff(app, db, people["buyer_party"])[0].active is False
    assert "Deactivated" in client.get("/staff/").get_data(as_text=True)
    again = post_form(client, f"/staff/{person.id}/deactivate", token_from="/staff/", follow_redirects=True)
    assert "孙八 is already deactivated." in again.get_data(as_text=True)
    assert post_form(client, f"/staff/{person.id}/reactivate", token_from="/staff/").status_code == 302
    assert _staff(app, db, people["buyer_party"])[0].active is True


# --- who may manage staff --------------------------------------------------------------------------------------


@pytest.fixture()
def unit(app, db, people):
    """buyer_party's unit with a member (clerk), a staff member, a waiting request; returns their ids."""
    from market.staff.models import StaffRequest

    with app.app_context():
        org = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(org, email="clerk@example.com", role="member")
        staff = factories.make_user(org, email="staff@example.com", role="staff")
        waiting = StaffRequest(organisation_id=org.id, name="周九", email="zhou9@example.com", password_hash="x")
        db.session.add(waiting)
        db.session.commit()
        return {"staff": staff.id, "request": waiting.id}


PAGES = ["/staff/", "/staff/new", "/staff/import", "/staff/import-template.xlsx", "/staff/invitation"]


def _posts(unit):
    return [f"/staff/requests/{unit['request']}/approve", f"/staff/requests/{unit['request']}/refuse",
            f"/staff/{unit['staff']}/deactivate", "/staff/new", "/staff/invitation"]


@pytest.mark.parametrize("who, expected", [("clerk@example.com", 403), ("staff@example.com", 403)])
def test_the_units_member_and_staff_cannot_manage_staff(app, db, people, unit, who, expected):
    visitor = app.test_client()
    assert sign_in(visitor, who).status_code == 302
    for path in PAGES + [f"/staff/requests/{unit['request']}/refuse", f"/staff/{unit['staff']}/deactivate"]:
        assert visitor.get(path).status_code == expected, path
    for path in _posts(unit):
        assert post_form(visitor, path, {"reason": "x"}, token_from="/account").status_code == expected, path
    assert _staff(app, db, people["buyer_party"])[0].active is True


@pytest.mark.parametrize("role", ["buyer_school", "firm", "supplier_qingyuan", "city"])
def test_another_organisation_gets_404_on_the_units_staff_and_requests(app, db, people, unit, role, login, client):
    login(role)
    for path in (f"/staff/requests/{unit['request']}/refuse", f"/staff/{unit['staff']}/deactivate"):
        assert client.get(path).status_code in ((404,) if role in ("buyer_school", "firm") else (403,)), path
    for path in (f"/staff/requests/{unit['request']}/approve", f"/staff/{unit['staff']}/deactivate"):
        code = post_form(client, path, token_from="/account").status_code
        assert code in ((404,) if role in ("buyer_school", "firm") else (403,)), path
    assert _staff(app, db, people["buyer_party"])[0].active is True
    if role in ("buyer_school", "firm"):  # their own (empty) staff page
        assert "周九" not in client.get("/staff/").get_data(as_text=True)


def test_a_manager_cannot_deactivate_a_colleague_who_is_not_staff_here(app, db, people, unit, client, login):
    login("buyer_party")
    with app.app_context():
        clerk = factories.user_by_email(db, "clerk@example.com").id
    assert client.get(f"/staff/{clerk}/deactivate").status_code == 404


def test_an_unapproved_unit_sees_nothing_of_staff(app, db, client):
    with app.app_context():
        org = factories.organisation(kind="buyer", status="pending")
        factories.make_user(org, email="pending-manager@example.com", role="manager")
        db.session.commit()
    assert sign_in(client, "pending-manager@example.com").status_code == 302
    for path in PAGES:
        assert client.get(path).status_code == 403, path


def test_a_suspended_units_link_is_no_longer_valid(app, db, people, client, login):
    from market.accounts.models import OrgStatus

    login("buyer_party")
    link = _make_link(client)
    with app.app_context():
        factories.user_by_email(db, people["buyer_party"]).organisation.status = OrgStatus.SUSPENDED
        db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_simultaneous_renewals_leave_exactly_one_live_link(app, db, people, client, login, live_server):
    from market.staff.models import StaffInvitation

    login("buyer_party")
    _make_link(client)
    seen = _current(client)
    sessions = [signed_in_session(live_server, people["buyer_party"]) for _ in range(6)]
    tokens = [re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                        s.get(live_server + "/staff/invitation").text) for s in sessions]
    tokens = [match.group(1) or match.group(2) for match in tokens]

    def renew(session, token):
        return lambda: session.post(f"{live_server}/staff/invitation", data={"csrf_token": token, "current": seen},
                                    allow_redirects=False, timeout=60).status_code

    codes = run_together([renew(s, t) for s, t in zip(sessions, tokens)])

    assert codes == [302] * len(sessions)
    with app.app_context():
        live = db.session.scalars(select(StaffInvitation).where(StaffInvitation.revoked_at.is_(None))).all()
        assert len(live) == 1 and str(live[0].id) != seen
        assert db.session.scalar(select(func.count()).select_from(StaffInvitation)) == 2
