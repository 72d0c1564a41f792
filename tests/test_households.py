"""The poor households register (issue 19, first part): kept by hand by the county office, read by the city
office, masked in lists, the audited "show", and no name or number in any answer anyone else can reach (pages
and API, as each role)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import bearer_headers, post_form, sign_in

NAME, NUMBER, PHONE = "欧阳秀英", "QY-2016-00731", "13900000101"
OTHER_NAME, OTHER_NUMBER = "赵德胜", "XB-2017-00419"


def _village(db, code: str) -> int:
    from market.regions.models import Village

    return db.session.scalar(select(Village.id).where(Village.code == code))


def _add(app, db, county="qingyuan", village="nankouqian-wangjiabao", **fields) -> int:
    from market.households.operations import add_household

    with app.app_context():
        data = {"household_number": NUMBER, "head_name": NAME, "members": "4", "status": "in_poverty",
                "phone": PHONE, "village_id": _village(db, village), **fields}
        household = add_household(factories.county(county), data)
        db.session.commit()
        return household.id


def _reveals(app, db, household_id: int) -> int:
    from market.audit.models import AuditEntry

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "households.reveal", AuditEntry.object_id == household_id))


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture()
def two(app, db, people):
    """A household of Qingyuan and one of Xinbin."""
    return {"qingyuan": _add(app, db), "xinbin": _add(app, db, county="xinbin", village="yongling-laocheng",
                                                      household_number=OTHER_NUMBER, head_name=OTHER_NAME,
                                                      phone="13800000202")}


# --- masking ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, masked", [("张三民", "张*民"), ("张三", "张*"), ("欧阳秀英", "欧**英"), ("Li Wei", "L***"),
                                          ("王", "王*"), ("", "")])
def test_names_are_masked_first_and_last_character_kept(name, masked):
    from market.households.privacy import mask_name

    assert mask_name(name) == masked


@pytest.mark.parametrize("phone, masked", [("13900000101", "139****0101"), ("139 0000 0101", "139****0101"),
                                           ("024-5712 3456", "024****3456"), ("024-571 2345", "024***2345"), (None, ""), ("12345", "*****")])
def test_phones_are_masked(phone, masked):
    from market.households.privacy import mask_phone

    assert mask_phone(phone) == masked


# --- the county office keeps its households by hand -------------------------------------------------------------


def test_the_county_office_adds_a_household_sees_it_masked_and_shows_it_with_an_audit_entry(app, db, client, login):
    login("county_qingyuan")
    with app.app_context():
        village = _village(db, "hongtoushan-hongtoushan")
    response = post_form(client, "/households/new", {
        "household_number": NUMBER, "head_name": NAME, "village_id": village, "members": "3", "status": "lifted",
        "year_lifted": "2019", "phone": PHONE})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    household_id = int(response.headers["Location"].rstrip("/").split("/")[-1])

    listing = client.get("/households/").get_data(as_text=True)
    assert NUMBER in listing and "欧**英" in listing and "139****0101" in listing
    assert NAME not in listing and PHONE not in listing
    detail = client.get(f"/households/{household_id}").get_data(as_text=True)
    assert "欧**英" in detail and NAME not in detail and PHONE not in detail
    assert _reveals(app, db, household_id) == 0

    shown = post_form(client, f"/households/{household_id}/show", token_from=f"/households/{household_id}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    assert NAME in page and PHONE in page
    assert _reveals(app, db, household_id) == 1
    # The next look is masked again: the reveal was for that answer only.
    assert NAME not in client.get(f"/households/{household_id}").get_data(as_text=True)
    # Without the CSRF token nothing is shown and nothing is written.
    assert client.post(f"/households/{household_id}/show").status_code == 400
    assert _reveals(app, db, household_id) == 1


def test_the_audit_log_names_who_saw_the_personal_data(app, db, client, login, two):
    login("county_qingyuan")
    post_form(client, f"/households/{two['qingyuan']}/show", token_from=f"/households/{two['qingyuan']}")
    city = _english(app.test_client())
    login("city", city)
    log = city.get("/admin/audit/?object_type=households").get_data(as_text=True)
    assert "viewed the personal data of a poor household" in log and "added a poor household" in log


BAD = [({"members": "0"}, "members"), ({"members": "31"}, "members"), ({"members": "2.5"}, "members"),
       ({"members": "1e1"}, "members"), ({"status": "poor"}, "status"),
       ({"status": "lifted", "year_lifted": ""}, "year_lifted"),
       ({"status": "lifted", "year_lifted": "2999"}, "year_lifted"),
       ({"status": "in_poverty", "year_lifted": "2019"}, "year_lifted"), ({"head_name": ""}, "head_name"),
       ({"household_number": "x" * 31}, "household_number"), ({"phone": "call me"}, "phone"),
       ({"village_id": "999999"}, "village_id"), ({"village_id": "99999999999999999999"}, "village_id")]


@pytest.mark.parametrize("changes, field", BAD)
def test_by_hand_rules_refuse_bad_input_and_save_nothing(app, db, people, changes, field):
    from market.households.models import Household
    from market.households.operations import add_household
    from market.rules import RuleError

    with app.test_request_context("/"):
        data = {"household_number": NUMBER, "head_name": NAME, "members": "4", "status": "in_poverty",
                "village_id": _village(db, "nankouqian-wangjiabao"), **changes}
        with pytest.raises(RuleError) as refused:
            add_household(factories.county("qingyuan"), data)
        assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(select(func.count(Household.id))) == 0


def test_a_village_of_another_county_and_a_number_taken_are_refused_beside_the_form(app, db, client, login, two):
    login("county_qingyuan")
    _english(client)
    with app.app_context():
        xinbin_village, own = _village(db, "yongling-laocheng"), _village(db, "nankouqian-wangjiabao")
    form = {"household_number": "QY-NEW", "head_name": "李四", "village_id": xinbin_village, "members": "2",
            "status": "monitored"}
    refused = post_form(client, "/households/new", form, follow_redirects=True).get_data(as_text=True)
    assert "Choose one of the county&#39;s villages." in refused
    taken = post_form(client, "/households/new", {**form, "village_id": own, "household_number": NUMBER},
                      follow_redirects=True).get_data(as_text=True)
    assert "already has a household with this number" in taken
    # Another county may use the same number: numbers are unique per county.
    _add(app, db, county="xinbin", village="shangjiahe-shangjiahe", household_number=NUMBER)


def test_editing_changes_only_what_differs_and_an_unchanged_save_writes_no_audit_entry(app, db, client, login, two):
    from market.audit.models import AuditEntry

    household_id = two["qingyuan"]
    login("county_qingyuan")
    with app.app_context():
        village = _village(db, "nankouqian-wangjiabao")
    form = {"household_number": NUMBER, "head_name": NAME, "village_id": village, "members": "4",
            "status": "in_poverty", "year_lifted": "", "phone": PHONE}

    def entries():
        with app.app_context():
            return db.session.scalar(select(func.count(AuditEntry.id)).where(
                AuditEntry.object_type == "households", AuditEntry.object_id == household_id))

    before = entries()
    assert post_form(client, f"/households/{household_id}/edit", form).status_code == 302
    assert entries() == before
    assert post_form(client, f"/households/{household_id}/edit",
                     {**form, "status": "lifted", "year_lifted": "2020"}).status_code == 302
    assert entries() == before + 1
    with app.app_context():
        from market.households.models import Household, HouseholdStatus

        household = db.session.get(Household, household_id)
        assert household.status == HouseholdStatus.LIFTED and household.year_lifted == 2020


def test_filters_and_counts_per_status(app, db, client, login, two):
    _add(app, db, village="hongtoushan-hongtoushan", household_number="QYM-9", head_name="钱二", status="monitored")
    login("county_qingyuan")
    with app.app_context():
        village = _village(db, "hongtoushan-hongtoushan")
    page = client.get(f"/households/?village={village}").get_data(as_text=True)
    assert "QYM-9" in page and NUMBER not in page
    page = client.get("/households/?status=in_poverty").get_data(as_text=True)
    assert NUMBER in page and "QYM-9" not in page
    _english(client)
    page = client.get("/households/").get_data(as_text=True)
    assert "In poverty: 1" in page and "Monitored for relapse: 1" in page and "Lifted out: 0" in page
    # Another county's household never shows, whatever the filter says.
    assert OTHER_NUMBER not in client.get("/households/?county=xinbin").get_data(as_text=True)
    assert client.get("/households/?page=99999999999").status_code == 404


def test_the_city_office_reads_every_county_masked_and_changes_nothing(app, db, client, login, two):
    login("city")
    page = client.get("/households/").get_data(as_text=True)
    assert NUMBER in page and OTHER_NUMBER in page and NAME not in page and OTHER_NAME not in page
    page = client.get("/households/?county=xinbin").get_data(as_text=True)
    assert OTHER_NUMBER in page and NUMBER not in page and "赵*胜" in page
    assert client.get(f"/households/{two['xinbin']}").status_code == 200
    assert client.get(f"/households/{two['xinbin']}/edit").status_code == 403
    assert client.get("/households/new").status_code == 403
    assert client.get("/households/import").status_code == 403
    shown = post_form(client, f"/households/{two['xinbin']}/show", token_from=f"/households/{two['xinbin']}")
    assert OTHER_NAME in shown.get_data(as_text=True) and _reveals(app, db, two["xinbin"]) == 1


# --- privacy, as each role ----------------------------------------------------------------------------------------


SECRETS = (NAME, NUMBER, PHONE, OTHER_NAME, OTHER_NUMBER, "欧**英")


def _walk(client, household_id: int, api_headers: dict | None) -> dict[str, int]:
    """Every page and API answer that could carry a household: none may name one."""
    answers = {}
    for path in ("/", "/catalog/", "/households/", "/households/?county=qingyuan", f"/households/{household_id}",
                 f"/households/{household_id}/edit", "/households/new", "/households/import",
                 "/reports/transparency", "/admin/audit/?object_type=households"):
        answers[path] = client.get(path)
    answers["show"] = post_form(client, f"/households/{household_id}/show", token_from="/account")
    for path in ("/api/v1/households", f"/api/v1/households/{household_id}", "/api/v1/households?county=qingyuan"):
        answers[path] = client.get(path, headers=api_headers or {})
    for path, response in answers.items():
        body = response.get_data(as_text=True)
        assert not any(secret in body for secret in SECRETS), (path, response.status_code)
    return {path: response.status_code for path, response in answers.items()}


@pytest.mark.parametrize("role", ["supplier_qingyuan", "buyer_party", "firm", "federation", "county_xinbin"])
def test_no_other_role_sees_a_name_or_number_of_a_qingyuan_household(app, db, people, client, role):
    household_id = _add(app, db)
    assert sign_in(client, people[role]).status_code == 302
    statuses = _walk(client, household_id, bearer_headers(app, people[role]))
    assert statuses[f"/households/{household_id}"] in (403, 404)
    assert statuses[f"/api/v1/households/{household_id}"] in (403, 404)
    if role == "county_xinbin":
        assert statuses[f"/households/{household_id}"] == 404 and statuses[f"/api/v1/households/{household_id}"] == 404
    else:
        assert statuses["/households/"] == 403 and statuses["/api/v1/households"] == 403


def test_a_staff_member_and_a_visitor_see_no_household_either(app, db, people, client):
    household_id = _add(app, db)
    with app.app_context():
        unit = factories.user_by_email(db, people["buyer_party"]).organisation
        factories.make_user(unit, email="staff-hh@example.com", role="staff")
        db.session.commit()
    statuses = _walk(app.test_client(), household_id, None)
    assert statuses["/households/"] in (302, 401) and statuses["/api/v1/households"] == 401
    assert sign_in(client, "staff-hh@example.com").status_code == 302
    statuses = _walk(client, household_id, bearer_headers(app, "staff-hh@example.com"))
    assert statuses["/households/"] == 403 and statuses[f"/api/v1/households/{household_id}"] == 403


def test_a_pending_county_office_sees_nothing_of_its_county(app, db, people, client):
    household_id = _add(app, db)
    with app.app_context():
        org = factories.organisation(kind="county_office", county="qingyuan", status="pending")
        factories.make_user(org, email="pending-county@example.com", role="manager")
        db.session.commit()
    assert sign_in(client, "pending-county@example.com").status_code == 302
    _walk(client, household_id, None)


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_gives_the_county_its_own_households_in_full(app, db, people, two):
    headers = bearer_headers(app, people["county_qingyuan"])
    api = app.test_client()
    body = api.get("/api/v1/households", headers=headers).get_json()
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert item["id"] == two["qingyuan"] and item["household_number"] == NUMBER and item["head_name"] == NAME
    assert item["county"] == "qingyuan" and item["status"] == "in_poverty" and item["members"] == 4
    assert item["village"]["code"] == "nankouqian-wangjiabao"
    one = api.get(f"/api/v1/households/{two['qingyuan']}", headers=headers).get_json()
    assert one == item
    assert api.get(f"/api/v1/households/{two['xinbin']}", headers=headers).status_code == 404
    assert api.get("/api/v1/households?county=xinbin", headers=headers).status_code == 404
    assert api.get("/api/v1/households?county=nowhere", headers=headers).status_code == 422
    assert api.get("/api/v1/households?village=yongling-laocheng", headers=headers).status_code == 422
    with app.app_context():
        village = _village(db, "hongtoushan-hongtoushan")
    assert api.get(f"/api/v1/households?village={village}", headers=headers).get_json()["total"] == 0
    assert api.get("/api/v1/households?village=nankouqian-wangjiabao", headers=headers).get_json()["total"] == 1
    assert api.get("/api/v1/households?per_page=1000", headers=headers).status_code == 422
    assert api.get("/api/v1/households/99999999999", headers=headers).status_code == 404


def test_the_api_gives_the_city_every_county_with_filters(app, db, people, two):
    headers = bearer_headers(app, people["city"])
    api = app.test_client()
    assert api.get("/api/v1/households", headers=headers).get_json()["total"] == 2
    body = api.get("/api/v1/households?county=xinbin", headers=headers).get_json()
    assert [item["household_number"] for item in body["items"]] == [OTHER_NUMBER]
    assert api.get("/api/v1/households?village=yongling-laocheng", headers=headers).get_json()["total"] == 1
    assert api.get(f"/api/v1/households/{two['qingyuan']}", headers=headers).get_json()["head_name"] == NAME
    paged = api.get("/api/v1/households?per_page=1&page=2", headers=headers).get_json()
    assert len(paged["items"]) == 1 and paged["total"] == 2


def test_the_openapi_document_describes_the_households_endpoints(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/households" in spec["paths"] and "/api/v1/households/{household_id}" in spec["paths"]
    assert "Household" in spec["components"]["schemas"]
