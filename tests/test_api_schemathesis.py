"""schemathesis over the whole OpenAPI document, against the app served live on loopback, signed in and not:
no 5xx, and every answer's status, content type and body as the document says.

(schemathesis' pytest plugin does not yet work with this pytest, so each operation's strategy is driven with
Hypothesis directly; the checks are schemathesis' own.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
EXAMPLES = 25


def _run_everything(base_url: str, headers: dict) -> dict[str, str]:
    schema = schemathesis.openapi.from_url(base_url + "/api/v1/openapi.json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures[f"{operation.method.upper()} {operation.path}"] = f"{type(exc).__name__}: {exc}"[:2000]
    return failures


def test_the_whole_document_anonymous(live_server, demo):
    failures = _run_everything(live_server, {})
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


@pytest.mark.parametrize("email", ["party@demo.local", "coop-qingyuan@demo.local", "city@demo.local"])
def test_the_whole_document_signed_in(app, live_server, demo, email):
    token = app.test_client().post("/api/v1/tokens", json={"email": email, "password": "demo-pass-2020"}).json["token"]
    failures = _run_everything(live_server, {"Authorization": f"Bearer {token}"})
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
