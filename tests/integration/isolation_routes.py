"""The route table of the tenant isolation walk (tests/integration/test_isolation_walk.py).

One entry per route of the app's router table, keyed "METHOD /path/template" exactly as
`app.routes` spells it. A route without an entry fails the walk, naming itself: adding a
route means adding one line here.

How to add an entry:
- pick the kind, which says who the caller is and which actors apply:
    api(...)          HR API, `Authorization: Bearer <key>`
    greenhouse(...)   Greenhouse partner API, HTTP Basic with the key as user name
    manager(...)      manager app, session cookie
    participant(...)  participant pages, the token in the path
    public(...)       no caller at all (health, docs, sign-in page, static files)
- path parameters are filled from the victim's data by name: see PARAMETERS below. A new
  parameter name fails the walk until it is added there.
- `query`, `json` and `form` may hold the same `{name}` placeholders, e.g. a POST body that
  refers to the victim's team: json={"team_id": "{team_id}"}.
- `write=True/False` overrides whether the route needs the key's write scope (default: every
  method but GET/HEAD/OPTIONS does); the read-only key actor walks only write routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["api", "greenhouse", "manager", "participant", "public"]

# Path and placeholder names -> the attribute of tests.integration.test_isolation_walk.Victim
# that fills them. Ids of the victim's rows; `token` is the victim's participant link token.
PARAMETERS: dict[str, str] = {
    "assessment_id": "assessment_id",
    "team_id": "team_id",
    "participant_id": "participant_id",
    "webhook_id": "webhook_id",
    "endpoint_id": "webhook_id",
    "key_id": "api_key_id",
    "user_id": "user_id",
    "user_email": "user_email",
    "token": "token",
    "number": "page_number",
    "rest": "rest",
    "partner_interview_id": "assessment_id",
}


@dataclass(frozen=True)
class Entry:
    kind: Kind
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    write: bool | None = None  # None: every method but GET/HEAD/OPTIONS writes


def api(**kw: Any) -> Entry:
    return Entry("api", **kw)


def greenhouse(**kw: Any) -> Entry:
    return Entry("greenhouse", **kw)


def manager(**kw: Any) -> Entry:
    return Entry("manager", **kw)


def participant(**kw: Any) -> Entry:
    return Entry("participant", **kw)


def public(**kw: Any) -> Entry:
    return Entry("public", **kw)


ROUTES: dict[str, Entry] = {
    # --- health, docs, static: nobody's data ---------------------------------------------
    "GET /healthz": public(),
    "GET /readyz": public(),
    "GET /openapi.json": public(),
    "GET /docs": public(),
    "GET /docs/oauth2-redirect": public(),
    "GET /redoc": public(),
    "GET /static": public(),  # the StaticFiles mount; walked as /static/<a file>
    # --- manager app ----------------------------------------------------------------------
    "GET /": public(),  # to /login, or /app when signed in
    "GET /login": public(),
    "POST /login": public(form={"email": "{user_email}", "password": "wrong-password-123"}),
    "POST /logout": manager(),
    "GET /app": manager(),
    "GET /app/invite": manager(),
    "POST /app/invite": manager(
        form={
            "email": "new@attacker.example",
            "first_name": "A",
            "last_name": "B",
            "team": "{team_id}",
        },
    ),
    "GET /app/assessments/{assessment_id}": manager(),
    "POST /app/assessments/{assessment_id}/cancel": manager(),
    "GET /app/assessments/{assessment_id}/report.pdf": manager(),
    "GET /app/teams/{team_id}": manager(),
    "GET /app/teams/{team_id}/report.pdf": manager(),
    # --- participant pages ----------------------------------------------------------------
    "GET /a/": participant(),
    "GET /a/{token}": participant(),
    "POST /a/{token}/consent": participant(form={"consent": "yes"}),
    "GET /a/{token}/page/{number}": participant(),
    "POST /a/{token}/page/{number}": participant(form={"nav": "next"}),
    "POST /a/{token}/answer": participant(form={"item": "x", "value": "1"}),
    "GET /a/{token}/review": participant(),
    "POST /a/{token}/submit": participant(),
    "GET /a/{token}/thanks": participant(),
    "GET /a/{token}/{rest:path}": participant(),
    # --- HR API v1 --------------------------------------------------------------------------
    "GET /api/v1/assessments/{assessment_id}/report.pdf": api(),
    "GET /api/v1/teams/{team_id}/report.pdf": api(),
    # --- Greenhouse partner API ---------------------------------------------------------
    "GET /integrations/greenhouse/list_tests": greenhouse(),
    "POST /integrations/greenhouse/send_test": greenhouse(
        json={
            "partner_test_id": "no-such-test",
            "candidate": {"first_name": "A", "last_name": "B", "email": "a@attacker.example"},
            "url": "https://app.greenhouse.io/callback/attacker",
        }
    ),
    "GET /integrations/greenhouse/test_status": greenhouse(
        query={"partner_interview_id": "{assessment_id}"}
    ),
    "POST /integrations/greenhouse/request_errors": greenhouse(
        json={"partner_interview_id": "{assessment_id}", "errors": ["x"]}, write=False
    ),
}
