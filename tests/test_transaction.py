"""One transaction per request (market/transaction.py): the request commits once at its end if its answer is not
an error; an error answer, or a rule's error in a page, leaves nothing behind; the refused form comes back with
what was typed and the message beside its field."""

from __future__ import annotations

import pytest
from flask import abort, jsonify
from sqlalchemy import select
from wtforms import StringField

from market.forms import BaseForm
from market.rules import RuleError
from market.transaction import PageBlueprint, return_to
from tests.conftest import database_url


class NameForm(BaseForm):
    name = StringField()
    note = StringField()


@pytest.fixture()
def probe_app(app):
    """A second app on the test database with a few probe routes (routes cannot be added to the shared app once
    it has served a request)."""
    from market import create_app
    from market.accounts import operations as accounts
    from market.accounts.models import OrgKind, OrgStatus

    probe = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), WTF_CSRF_ENABLED=False)
    bp = PageBlueprint("probe", __name__, url_prefix="/probe")

    def add(name: str) -> None:
        accounts.create_organisation(name=name, kind=OrgKind.FIRM, status=OrgStatus.ACTIVE)

    @bp.route("/ok", methods=["POST"])
    def ok():
        add("kept")
        return jsonify(done=True)

    @bp.route("/fails/<int:code>", methods=["POST"])
    def fails(code: int):
        add("not kept")
        abort(code)

    @bp.route("/form", methods=["GET", "POST"])
    def form():
        form = NameForm()
        if form.validate_on_submit():
            add("written, then rolled back")
            raise RuleError("That name is taken.", "name")
        errors = form.name.errors
        return jsonify(name=form.name.data, note=form.note.data, errors=list(errors))

    @bp.route("/refused-read")
    def refused_read():
        raise RuleError("Not now.")

    @bp.route("/elsewhere", methods=["POST"])
    def elsewhere():
        return_to("/probe/form")
        add("not kept either")
        raise RuleError("Refused.")

    probe.register_blueprint(bp)
    yield probe
    with probe.app_context():
        from market.extensions import db

        db.engine.dispose()  # its own connections, closed before the test ends


def _firms(app, db) -> list[str]:
    from market.accounts.models import Organisation, OrgKind

    with app.app_context():
        return list(db.session.scalars(select(Organisation.name).where(Organisation.kind == OrgKind.FIRM)))


def test_a_request_that_succeeds_commits_once_at_its_end(probe_app, app, db):
    assert probe_app.test_client().post("/probe/ok").status_code == 200
    assert _firms(app, db) == ["kept"]


@pytest.mark.parametrize("code", [400, 403, 404, 409, 500])
def test_an_error_answer_leaves_nothing_behind(probe_app, app, db, code):
    assert probe_app.test_client().post(f"/probe/fails/{code}").status_code == code
    assert _firms(app, db) == []


def test_a_rule_error_in_a_page_rolls_back_and_returns_to_the_form_with_what_was_typed(probe_app, app, db):
    client = probe_app.test_client()
    response = client.post("/probe/form", data={"name": "黑木耳合作社", "note": "见备注"})
    assert response.status_code == 302 and response.headers["Location"] == "/probe/form"
    assert _firms(app, db) == []
    with client.session_transaction() as session:
        assert ("error", "That name is taken.") in session["_flashes"]
    back = client.get("/probe/form").json
    assert back == {"name": "黑木耳合作社", "note": "见备注", "errors": ["That name is taken."]}
    # Taken once: the next visit shows an empty form.
    assert client.get("/probe/form").json == {"name": None, "note": None, "errors": []}


def test_a_refused_request_goes_where_the_view_said_or_back_to_the_referring_page(probe_app, app, db):
    client = probe_app.test_client()
    assert client.post("/probe/elsewhere").headers["Location"] == "/probe/form"
    assert _firms(app, db) == []
    # A form posted from another page goes back to that page; only the referrer's path is used.
    response = client.post("/probe/form", data={"name": "x"}, headers={"Referer": "https://evil.example/probe/ok?a=1"})
    assert response.headers["Location"] == "/probe/ok?a=1"


def test_a_refused_read_never_redirects_to_itself(probe_app):
    client = probe_app.test_client()
    assert client.get("/probe/refused-read").headers["Location"] == "/"
    response = client.get("/probe/refused-read", headers={"Referer": "http://localhost/probe/refused-read"})
    assert response.headers["Location"] == "/"
    assert client.get("/probe/refused-read", headers={"Referer": "/probe/form"}).headers["Location"] == "/probe/form"


def test_input_too_large_for_the_cookie_is_not_kept_but_the_message_is(probe_app, app, db):
    client = probe_app.test_client()
    typed = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(3000))  # does not compress away
    client.post("/probe/form", data={"name": typed})
    back = client.get("/probe/form").json
    assert back["name"] is None and back["errors"] == ["That name is taken."]
    with client.session_transaction() as session:
        assert any(message == "That name is taken." for _category, message in session.get("_flashes", []))


def test_every_page_blueprint_answers_a_rule_error_once_and_the_api_its_own_way(app):
    from market.transaction import rule_error_page

    for name in app.blueprints:
        handler = app.error_handler_spec.get(name, {}).get(None, {}).get(RuleError)
        assert (handler is not rule_error_page) if name == "api" else (handler is rule_error_page), name
