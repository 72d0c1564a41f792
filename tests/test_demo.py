"""Demo data, the setup commands and the home page of every role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import sign_in

DEMO_SIGN_INS = [
    "city@demo.local",
    "county-qingyuan@demo.local", "county-xinbin@demo.local", "county-fushun-county@demo.local",
    "county-dongzhou@demo.local",
    "coop-qingyuan@demo.local", "coop-xinbin@demo.local", "coop-fushun-county@demo.local", "coop-dongzhou@demo.local",
    "party@demo.local", "government@demo.local", "npc@demo.local", "cppcc@demo.local",
    "school@demo.local", "hospital@demo.local", "village-unit@demo.local",
    "firm@demo.local", "firm2@demo.local",
    "federation@demo.local",
]



def _counts(app, db):
    from market.accounts.models import Organisation, User
    from market.audit.models import AuditEntry
    from market.pairing.models import SystemPairing, VillagePairing
    from market.regions.models import County, Village

    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Organisation, User, County, Village, SystemPairing, VillagePairing, AuditEntry)}


def test_seed_demo_is_idempotent(app, db, demo):
    first = _counts(app, db)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "nothing added" in result.output
    assert _counts(app, db) == first


def test_demo_has_the_city_the_suppliers_and_the_four_pairings(app, db, demo):
    from market.accounts.models import Organisation, OrgKind
    from market.pairing.queries import current_system_pairings

    with app.app_context():
        pairs = {system.value: county.code for system, county in current_system_pairings()}
        assert pairs == {"party": "qingyuan", "government": "xinbin", "npc": "fushun-county", "cppcc": "dongzhou"}
        suppliers = db.session.execute(
            select(Organisation.county_id, func.count()).where(Organisation.kind == OrgKind.SUPPLIER)
            .group_by(Organisation.county_id)
        ).all()
        assert len(suppliers) == 4 and all(n >= 2 for _, n in suppliers)


@pytest.mark.parametrize("email", DEMO_SIGN_INS)
def test_every_demo_sign_in_works_and_sees_a_home_page(app, demo, email):
    client = app.test_client()
    response = sign_in(client, email, "demo-pass-2020")
    assert response.status_code == 302, email
    home = client.get("/")
    assert home.status_code == 200
    assert "退出登录" in home.get_data(as_text=True)


@pytest.mark.parametrize(
    "email, expected",
    [("party@demo.local", "清原满族自治县"), ("government@demo.local", "新宾满族自治县"),
     ("npc@demo.local", "抚顺县"), ("cppcc@demo.local", "东洲区"), ("school@demo.local", "无：可采购所有县区的产品"),
     ("village-unit@demo.local", "永陵镇老城村")],
)
def test_buyers_see_their_pairing(app, demo, email, expected):
    client = app.test_client()
    sign_in(client, email, "demo-pass-2020")
    html = client.get("/").get_data(as_text=True)
    assert expected in html


def test_county_office_home_lists_pending_suppliers_of_its_county(app, db, demo, factory):
    with app.app_context():
        factory.organisation(kind="supplier", county="dongzhou", status="pending", name="东洲区待审合作社")
        factory.organisation(kind="supplier", county="xinbin", status="pending", name="新宾县待审合作社")
        db.session.commit()
    client = app.test_client()
    sign_in(client, "county-dongzhou@demo.local", "demo-pass-2020")
    html = client.get("/").get_data(as_text=True)
    assert "东洲区待审合作社" in html and "新宾县待审合作社" not in html


def test_demo_password_can_be_chosen(app, monkeypatch):
    from market import create_app

    monkeypatch.setenv("MARKET_DEMO_PASSWORD", "another-demo-password")
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert other.config["DEMO_PASSWORD"] == "another-demo-password"
    result = other.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "firm@demo.local", "another-demo-password").status_code == 302
    with other.app_context():
        from market.extensions import db

        db.engine.dispose()


def test_orgs_create_and_users_create(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orgs", "create", "--name", "抚顺市第二医院食堂", "--kind", "buyer", "--system", "other",
                                 "--buyer-type", "hospital_canteen"])
    assert result.exit_code == 0, result.output
    org_id = int(result.output.split()[1].rstrip(":"))
    result = runner.invoke(args=["users", "create", "--email", "Chef@Hospital2.cn", "--name", "厨师长", "--org",
                                 str(org_id), "--password", "kitchen-password-1"])
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "chef@hospital2.cn", "kitchen-password-1").status_code == 302


@pytest.mark.parametrize(
    "args, message",
    [
        (["orgs", "create", "--name", "x", "--kind", "supplier"], "county"),
        (["orgs", "create", "--name", "x", "--kind", "supplier", "--county", "atlantis"], "no county"),
        (["orgs", "create", "--name", "x", "--kind", "buyer"], "system"),
        (["users", "create", "--email", "a@b.cn", "--name", "x", "--org", "999999", "--password", "long-enough-pw"],
         "no organisation"),
    ],
)
def test_setup_commands_refuse_bad_input(app, db, args, message):
    from market.accounts.models import Organisation

    before = _counts(app, db)["Organisation"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output.lower() or message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_geo_load_is_idempotent_and_reads_another_city(app, db, tmp_path):
    import json

    runner = app.test_cli_runner()
    result = runner.invoke(args=["geo", "load"])
    assert result.exit_code == 0 and "counties: 0 new" in result.output
    other_city = {
        "city": {"code": "benxi", "name_zh": "本溪市", "name_en": "Benxi"},
        "counties": [{"code": "huanren", "kind": "county", "name_zh": "桓仁满族自治县",
                      "name_en": "Huanren Manchu Autonomous County", "villages": []}],
        "system_pairings": [{"system": "party", "county": "huanren", "valid_from": "2030-01-01"}],
    }
    path = tmp_path / "benxi.json"
    path.write_text(json.dumps(other_city, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["geo", "load", str(path)])
    assert result.exit_code == 0 and "counties: 1 new" in result.output and "pairings: 1 new" in result.output
    from datetime import date

    from market.accounts.models import BuyerSystem
    from market.pairing.queries import paired_county

    with app.app_context():
        assert paired_county(BuyerSystem.PARTY, date(2029, 12, 31)).code == "qingyuan"
        assert paired_county(BuyerSystem.PARTY, date(2030, 1, 1)).code == "huanren"
