"""Helpers of the HR API v1 tests: keys of an organisation, and problem documents."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.apikeys import create_api_key

PROBLEM = "application/problem+json"


def key_of(db: Session, org: Organisation, scopes: str = "read write") -> str:
    key = create_api_key(db=db, organisation=org, name=f"test {scopes}", scopes=scopes).key
    db.commit()
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def order(
    email: str = "dana@example.com", instrument: str = "mini-inventory", **extra: Any
) -> dict[str, Any]:
    participant = {"email": email, "first_name": "Dana", "last_name": "Ruiz"}
    participant.update(extra.pop("participant", {}))
    return {"instrument": instrument, "participant": participant, **extra}


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = dict(response.json())
    assert body["status"] == status and body["title"]
    return body
