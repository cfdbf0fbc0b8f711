"""Abuse limits over real HTTP: per-key API rate limits (429 problem, Retry-After, RateLimit
headers), participant pages limited per link and per address, and the body size limit (413)
whether or not the client announces the length."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from app.config import Settings
from app.models import Organisation
from app.services.apikeys import create_api_key
from tests.conftest import serve_app

PROBLEM = "application/problem+json"


@contextmanager
def served(settings: Settings, **limits: int) -> Iterator[httpx.Client]:
    """An app of its own with these limits (the session's server has them out of reach)."""
    from app.main import create_app

    with (
        serve_app(create_app(settings.model_copy(update=limits))) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


@pytest.fixture
def keys(db: Session, org: Organisation) -> Callable[..., str]:
    def make(name: str = "HRIS", scopes: str = "read write") -> str:
        key = create_api_key(db=db, organisation=org, name=name, scopes=scopes).key
        db.commit()
        return key

    return make


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_an_api_key_beyond_its_limit_gets_429_with_retry_after(
    settings: Settings, keys: Callable[..., str]
) -> None:
    key, other = keys(), keys("another system")
    with served(settings, api_rate_limit=3) as client:
        url = "/api/v1/assessments/no-such-id/report.pdf"
        remaining = []
        for _ in range(3):
            response = client.get(url, headers=bearer(key))
            assert response.status_code == 404
            assert response.headers["ratelimit-limit"] == "3"
            assert response.headers["ratelimit-policy"] == "3;w=60"
            assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
            remaining.append(response.headers["ratelimit-remaining"])
        assert remaining == ["2", "1", "0"]

        refused = client.get(url, headers=bearer(key))
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith(PROBLEM)
        body = refused.json()
        assert body["status"] == 429 and "at most 3 a minute" in body["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-remaining"] == "0"
        # The same key on the Greenhouse endpoints counts against the same allowance.
        greenhouse = client.get("/integrations/greenhouse/list_tests", auth=(key, ""))
        assert greenhouse.status_code == 429
        # Another key of the same organisation has its own.
        assert client.get(url, headers=bearer(other)).status_code == 404


def test_unknown_keys_are_not_counted_against_a_real_one(
    settings: Settings, keys: Callable[..., str]
) -> None:
    """Only an authenticated key is counted: guessing at a key's prefix cannot use up its
    owner's allowance (a key that does not authenticate is a 401 before any counting)."""
    key = keys()
    prefix = key.split("_")[2]
    with served(settings, api_rate_limit=2) as client:
        url = "/api/v1/assessments/x/report.pdf"
        for _ in range(5):
            forged = client.get(url, headers=bearer(f"sf_live_{prefix}_wrong"))
            assert forged.status_code == 401
            assert "ratelimit-limit" not in forged.headers
        assert client.get(url, headers=bearer(key)).status_code == 404


def test_a_participant_link_is_limited_per_link_and_per_address(
    settings: Settings, invite: Any
) -> None:
    first, second = invite(email="a@example.com"), invite(email="b@example.com")
    with served(settings, participant_rate_limit=3, participant_address_rate_limit=6) as client:
        for _ in range(3):
            page = client.get(f"/a/{first.token}")
            assert page.status_code == 200
        refused = client.get(f"/a/{first.token}")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert first.token not in refused.text  # never echoed back
        # Another link from the same address still works, until the address's limit: every
        # request from it counts, refused ones too (a guesser of links is stopped there).
        assert client.get(f"/a/{second.token}").status_code == 200  # the 5th from here
        assert client.get("/a/made-up-token").status_code == 404  # the 6th
        refused = client.get(f"/a/{second.token}")
        assert refused.status_code == 429 and "this address" in refused.json()["detail"]
        assert client.post(f"/a/{second.token}/answer", data={"item": "x"}).status_code == 429


def test_a_body_over_the_limit_is_413_even_without_a_length(
    http: httpx.Client, keys: Callable[..., str]
) -> None:
    def chunks() -> Iterator[bytes]:  # streamed: no Content-Length, chunked encoding
        for _ in range(40):
            yield b"x" * 65536

    key = keys()
    for url, headers in (
        ("/integrations/greenhouse/send_test", {"Content-Type": "application/json"}),
        ("/a/some-token/answer", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("/login", {"Content-Type": "application/x-www-form-urlencoded"}),
    ):
        response = http.post(url, content=chunks(), headers=headers, auth=(key, ""))
        assert response.status_code == 413, url
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["title"] == "Content Too Large"
