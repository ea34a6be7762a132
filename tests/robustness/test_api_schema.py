"""schemathesis against the app's own OpenAPI schema over loopback: no input the schema allows
(positive mode) or forbids (negative mode) makes the server answer 5xx.

Budget: ``SCHEMA_EXAMPLES`` per operation and mode (default 20; ``HYPOTHESIS_PROFILE=long`` →
300). Writes are exercised without the token (they must answer 401, never 5xx); what happens
behind the token is covered by test_security.py. The schema is read from ``create_app()`` at
collection (cheap: nothing is loaded before the lifespan), the requests go to a live server.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")  # test dependency: pip install schemathesis
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from pipeline.settings import Settings  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "300" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "20"))


def _schema():
    from search_api.app import create_app

    return schemathesis.openapi.from_dict(create_app(Settings()).openapi())


SCHEMA = _schema()
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def test_search_rejects_an_unknown_status(secure_client) -> None:
    """Found by the fuzzing below (it was a 500): an invalid filter value is the client's error."""
    response = secure_client.get("/search", params={"q": "园区", "status": "草稿"})
    assert response.status_code == 422, response.status_code


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(secure_server: str, label: str, mode) -> None:
    operation = OPERATIONS[label]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case) -> None:
        response = case.call(base_url=secure_server, timeout=60)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query} → {response.status_code}: "
            f"{response.text[:500]}\nreproduce: {case.as_curl_command(base_url=secure_server)}"
        )

    try:
        call()
    except Unsatisfiable:
        if mode == GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{label}: the schema forbids no input here (nothing to send in negative mode)")
