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
- `filters=True`: the query's ids only filter a list (another organisation's id gives an
  empty list, 200, which the marker check judges); otherwise an id in the query is a 404.
- `refused=(422,)`: further statuses by which this route refuses another caller's id, when
  its answer is the same as for an id that never existed (judged by the marker check too).
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
    "upload_id": "upload_id",
    "message_id": "message_id",
    "instrument": "instrument",
    "open_assessment_id": "open_assessment_id",
}


@dataclass(frozen=True)
class Entry:
    kind: Kind
    query: dict[str, str | list[str]] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    write: bool | None = None  # None: every method but GET/HEAD/OPTIONS writes
    filters: bool = False
    refused: tuple[int, ...] = ()


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


# An order that names the victim's person and team: another organisation's key must neither
# find them nor get anything of theirs back.
ORDER = {
    "instrument": "{instrument}",
    "participant": {
        "external_id": "emp-attacker",
        "email": "octavia.z@vulpecula.example",
        "first_name": "Mallory",
        "last_name": "Attacker",
    },
    "team_id": "{team_id}",
}

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
    "GET /app/invite/bulk": manager(),
    "POST /app/invite/bulk": manager(form={"team": "{team_id}", "instrument": "x"}),
    # Someone else's upload is "used or expired, upload again" (422), as a used one of yours.
    "POST /app/invite/bulk/{upload_id}": manager(
        form={"team": "{team_id}", "encoding": "UTF-8"}, refused=(422,)
    ),
    "POST /app/assessments/remind-not-started": manager(),
    "POST /app/assessments/{assessment_id}/remind": manager(),
    "POST /app/assessments/{assessment_id}/new-link": manager(),
    "POST /app/assessments/{assessment_id}/reinvite": manager(),
    "GET /app/compare": manager(query={"a": ["{assessment_id}", "{open_assessment_id}"]}),
    "GET /app/export.csv": manager(query={"team": "{team_id}"}, filters=True),
    "GET /app/teams": manager(),
    "POST /app/teams": manager(form={"name": "Intruders' own team"}),
    "GET /app/teams/{team_id}": manager(),
    "GET /app/teams/{team_id}/report.pdf": manager(),
    "POST /app/teams/{team_id}/rename": manager(form={"name": "Taken Over"}),
    "POST /app/teams/{team_id}/archive": manager(),
    "POST /app/teams/{team_id}/restore": manager(),
    "POST /app/teams/{team_id}/managers": manager(form={"user": "{user_id}"}),
    "POST /app/teams/{team_id}/managers/remove": manager(form={"user": "{user_id}"}),
    "POST /app/teams/{team_id}/reps/move": manager(
        form={"rep": "{participant_id}", "to": "{team_id}"}
    ),
    "GET /app/settings": manager(),
    "POST /app/settings": manager(form={"reminder_days": "1"}),
    "GET /app/privacy": manager(),
    "POST /app/privacy": manager(form={"retention_days": "1", "deidentified_norming": "yes"}),
    "GET /app/audit": manager(),
    "GET /app/participants/{participant_id}/export": manager(),
    "GET /app/participants/{participant_id}/erase": manager(),
    "POST /app/participants/{participant_id}/erase": manager(form={"confirm": "yes"}),
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
    "GET /a/{token}/feedback": participant(),
    "GET /a/{token}/feedback.pdf": participant(),
    "POST /a/{token}/layout": participant(form={"layout": "one"}),
    "GET /a/{token}/{rest:path}": participant(),
    # --- HR API v1 --------------------------------------------------------------------------
    "GET /api/v1/instruments": api(),
    "POST /api/v1/participants": api(
        json={
            "external_id": "emp-attacker",
            "email": "octavia.z@vulpecula.example",
            "first_name": "Mallory",
            "last_name": "Attacker",
            "team_id": "{team_id}",
        }
    ),
    "GET /api/v1/participants": api(query={"team_id": "{team_id}"}, filters=True),
    "GET /api/v1/participants/{participant_id}": api(),
    "GET /api/v1/participants/{participant_id}/export": api(),
    "DELETE /api/v1/participants/{participant_id}": api(),
    "POST /api/v1/assessments": api(json=ORDER),
    "POST /api/v1/assessments/bulk": api(json={"items": [ORDER]}),
    "GET /api/v1/assessments": api(query={"participant_id": "{participant_id}"}, filters=True),
    "GET /api/v1/assessments/{assessment_id}": api(),
    "POST /api/v1/assessments/{assessment_id}/cancel": api(),
    "POST /api/v1/assessments/{assessment_id}/remind": api(),
    "GET /api/v1/assessments/{assessment_id}/result": api(),
    "GET /api/v1/audit-events": api(),
    "POST /api/v1/webhooks": api(
        json={"url": "https://hooks.attacker.example/x", "events": ["assessment.completed"]}
    ),
    "GET /api/v1/webhooks": api(),
    "DELETE /api/v1/webhooks/{webhook_id}": api(),
    "GET /api/v1/webhooks/{webhook_id}/deliveries": api(),
    "POST /api/v1/webhooks/{webhook_id}/test": api(),
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{message_id}/redeliver": api(),
    "POST /api/v1/teams": api(json={"name": "Intruders' API team"}),
    "GET /api/v1/teams": api(),
    "GET /api/v1/teams/{team_id}": api(),
    "GET /api/v1/teams/{team_id}/members": api(),
    "GET /api/v1/teams/{team_id}/matching": api(),
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
