"""The HR API against its own OpenAPI document, over real HTTP: schemathesis generates
requests (valid and invalid) for every documented operation and checks each response's
status, content type, headers and body against the document, and that none is a 500.
Derandomised examples, bounded in number, keep it repeatable and quick.

(schemathesis' own pytest integration does not work with pytest 9 yet, so the operations are
parametrised here and each one's cases are drawn with Hypothesis directly.)"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app
from app.models import Organisation
from app.services.apikeys import create_api_key
from app.services.organisations import create_team
from tests.conftest import TLS

EXAMPLES = 25
# The document as the app makes it (no server or database needed to read it).
DOCUMENT = create_app(
    Settings(env="test", database_url="sqlite://", secret_key="x" * 40, password_hashing="cheapest")
).openapi()
OPERATIONS = [
    (path, method.upper(), mode)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
    # Invalid requests can only be made where there is something to get wrong.
    for mode in (
        [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        if operation.get("parameters") or operation.get("requestBody")
        else [GenerationMode.POSITIVE]
    )
]


def credentials(path: str, api_key: str) -> dict[str, str]:
    """As each caller sends its key: Greenhouse by HTTP Basic (the key as the user name)."""
    if path.startswith("/integrations/greenhouse/"):
        return {"Authorization": "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()}
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def api_key(db: Session, org: Organisation, invite: Any) -> str:
    """A key of an organisation with a team and a completed assessment to find."""
    from tests.integration.test_manager_pages import complete

    team = create_team(db=db, organisation=org, name="Schema Team")
    db.commit()
    complete(db, invite(team_id=team.id), seed=4)
    key = create_api_key(db=db, organisation=org, name="schemathesis").key
    db.commit()
    return key


@pytest.mark.parametrize(
    ("path", "method", "mode"), OPERATIONS, ids=[f"{g.value} {m} {p}" for p, m, g in OPERATIONS]
)
def test_every_operation_answers_as_documented(
    live_server: str, api_key: str, path: str, method: str, mode: GenerationMode
) -> None:
    served = httpx.get(f"{live_server}/openapi.json", timeout=10, verify=TLS).json()
    assert served == DOCUMENT  # the document tested is the one served
    schema = schemathesis.openapi.from_dict(served)
    schema.config.update(base_url=live_server)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: Any) -> None:
        headers = credentials(path, api_key)
        if mode is GenerationMode.POSITIVE and method == "POST" and path.startswith("/api/v1/"):
            # Generated cases repeat keys ("0") with other bodies: that is the documented 422
            # of a reused Idempotency-Key, not valid data refused. A fresh key per case.
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if mode is GenerationMode.POSITIVE and case.query:
            # A cursor is opaque: only one the server gave out is valid data (any other is
            # the documented 422), and no schema can describe which those are.
            case.query.pop("cursor", None)
        fuzzed = getattr(getattr(case.meta.phase, "data", None), "parameter", None)
        if mode is GenerationMode.NEGATIVE and fuzzed == "Authorization":
            # The invalid part is the credentials: sending ours would make the case valid.
            headers = {}
        case.call_and_validate(headers=headers, timeout=30)

    check()
