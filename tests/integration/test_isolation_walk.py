"""Tenant isolation, walked: every route of the app's router table, as six actors who must get
nothing of a victim organisation's data.

The route table lives in tests/integration/isolation_routes.py; a route without an entry
fails `test_every_route_has_an_entry`, naming it. The actors:

  other_org          another organisation: its API key (API, Greenhouse) and its admin's
                     session (manager app). A victim's id in the path or query is a 404.
  other_team_manager a manager-role user of the victim's own organisation who manages
                     (TeamManager) another team than the victim's: nothing of the victim
                     team's reps, assessments or admin pages (app/services/access.py). The
                     organisation's own name and id are theirs to see.
  revoked_key        the victim's own key, revoked: 401.
  read_only_key      the victim's own read-only key, on routes that need `write`: 403.
  anonymous          no credentials: 401, or the redirect to the sign-in page.
  wrong_token        a made-up credential: an API key with the victim's key prefix and a
                     wrong secret, a random session cookie, participant tokens that are
                     random or one character off the victim's: 401 / sign-in / 404.

Every answer, whatever its status, must hold none of the victim's names, e-mail addresses,
ids or secrets (ids the request itself carried excepted: problem details echo the path).
After the walk, none of the victim's rows has changed and no row of another organisation
refers to one of the victim's.

Runs on SQLite, or PostgreSQL with STAGEFIT_TEST_DATABASE_URL.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from app.config import Settings
from app.models import Assessment, Base, Organisation
from app.services import bulk_invite, greenhouse, invitations, teams, webhooks
from app.services.apikeys import create_api_key, revoke_api_key
from app.services.greenhouse import Candidate, partner_test_id
from app.services.organisations import create_organisation, create_team
from app.services.sessions import open_session
from app.services.users import create_user
from app.services.webhooks import create_endpoint
from app.web.manager.auth import SESSION_COOKIE
from tests.integration.isolation_routes import PARAMETERS, ROUTES, Entry
from tests.integration.test_manager_pages import complete

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
STATIC_DIR = Path(__file__).resolve().parents[2] / "app" / "web" / "static"
# Columns that change when a refused request merely authenticates (last use of a key or
# session); tables that record refusals themselves (throttle, audit trail).
VOLATILE_COLUMNS = {"last_used_at", "last_seen_at"}
VOLATILE_TABLES = {"audit_events", "sign_in_failures", "sign_in_sessions"}


def _flat(routes: list[Any]) -> Iterator[Any]:
    """The app's routes with included routers opened (FastAPI 0.16x keeps an included router
    as one entry of `app.routes`; older versions copied its routes in)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            yield from contexts()
        else:
            yield route


def route_keys(app: Any) -> list[str]:
    """ "METHOD /path" for every route of the app, as the table spells them."""
    keys = []
    for route in _flat(app.routes):
        if isinstance(route, Mount):
            keys.append(f"GET {route.path}")
            continue
        methods = getattr(route, "methods", None)
        if methods is None and isinstance(getattr(route, "original_route", None), Route):
            methods = route.original_route.methods
        if methods is None:
            pytest.fail(f"a route the walk cannot read: {route!r}")
        keys += [f"{m} {route.path}" for m in sorted(set(methods) - {"HEAD"})]
    return keys


# --- the victim and the attackers -----------------------------------------------------------


@dataclass
class Victim:
    organisation_id: str
    organisation_name: str
    team_id: str
    team_name: str
    assessment_id: str
    participant_id: str
    first_name: str
    last_name: str
    email: str
    token: str
    user_id: str
    user_email: str
    webhook_id: str
    webhook_url: str
    webhook_secret: str
    api_key_id: str
    key: str
    read_only_key: str
    revoked_key: str
    session: str
    upload_id: str
    message_id: str
    instrument: str
    open_assessment_id: str  # a second rep of the team, invited, not started: remindable
    page_number: str = "1"
    rest: str = "anything"
    second_rep: tuple[str, str, str] = ("Quirin", "Nebelhorn", "quirin.n@vulpecula.example")

    def markers(self, *, same_organisation: bool = False) -> list[str]:
        """What no other caller may ever read; a colleague of the same organisation may read
        its name and id (every page header shows them), nothing else."""
        organisation = [] if same_organisation else [self.organisation_name, self.organisation_id]
        return [
            *organisation,
            self.team_name,
            self.first_name,
            self.last_name,
            self.email,
            self.user_email,
            self.webhook_url,
            self.webhook_secret,
            self.token,
            self.key,
            self.read_only_key,
            self.revoked_key,
            self.session,
            self.team_id,
            self.assessment_id,
            self.participant_id,
            self.user_id,
            self.webhook_id,
            self.api_key_id,
            self.upload_id,
            self.message_id,
            self.open_assessment_id,
            *self.second_rep,
        ]


@dataclass
class Attacker:
    key: str
    admin_session: str
    manager_session: str


@pytest.fixture
def victim(db: Session, settings: Settings, mini_instrument_version: Any) -> Victim:
    org = create_organisation(db=db, name="Vulpecula Holdings", slug="vulpecula")
    team = create_team(db=db, organisation=org, name="Tarantula Squad")
    user = create_user(
        db=db,
        organisation=org,
        email="vera.admin@vulpecula.example",
        role="admin",
        password="victim-password-123",
    )
    full = create_api_key(db=db, organisation=org, name="victim HRIS")
    read_only = create_api_key(db=db, organisation=org, name="victim BI", scopes="read")
    revoked = create_api_key(db=db, organisation=org, name="victim old")
    revoke_api_key(db=db, api_key=revoked.api_key)
    endpoint = create_endpoint(
        db=db,
        organisation_id=org.id,
        url="https://hooks.vulpecula.example/stagefit",
        events=["assessment.completed"],
        actor="cli",
    )
    session = open_session(db=db, user=user)
    db.commit()
    # A Greenhouse order, so the partner endpoints have something of the victim's to refuse.
    assessment_id = greenhouse.send_test(
        db=db,
        settings=settings,
        organisation=org,
        api_key_id=full.api_key.id,
        credential=full.key,
        test_id=partner_test_id(mini_instrument_version),
        candidate=Candidate(
            first_name="Octavia", last_name="Zwiebelfisch", email="octavia.z@vulpecula.example"
        ),
        callback_url="https://app.greenhouse.io/callback/vulpecula-1",
        request={},
    )
    assessment = db.get(Assessment, assessment_id)
    assert assessment is not None
    # The victim's data lives in a team: the rep and the assessment both.
    assessment.participant.team_id = team.id
    assessment.team_id = team.id
    # A bulk-invite upload awaiting confirmation, and a webhook message to redeliver.
    upload = bulk_invite.save_upload(
        db=db,
        organisation_id=org.id,
        user_id=user.id,
        filename="octavia.csv",
        text="email,first_name,last_name\noctavia.z@vulpecula.example,Octavia,Zwiebelfisch\n",
    )
    message = webhooks.send_test(db=db, organisation_id=org.id, endpoint_id=endpoint.id)
    # A rep who has not started: what "remind everyone not started" would reach.
    waiting = invitations.invite(
        db=db,
        organisation=org,
        instrument_version=mini_instrument_version,
        email="quirin.n@vulpecula.example",
        first_name="Quirin",
        last_name="Nebelhorn",
        team_id=team.id,
        seal_with=settings.secret_key,
    )
    db.commit()
    link = invitations.link_of(settings, assessment)
    assert link is not None
    complete(db, SimpleNamespace(assessment=assessment), seed=3)
    return Victim(
        organisation_id=org.id,
        organisation_name=org.name,
        team_id=team.id,
        team_name=team.name,
        assessment_id=assessment.id,
        participant_id=assessment.participant_id,
        first_name="Octavia",
        last_name="Zwiebelfisch",
        email="octavia.z@vulpecula.example",
        token=link.rsplit("/", 1)[1],
        user_id=user.id,
        user_email=user.email,
        webhook_id=endpoint.id,
        webhook_url=endpoint.url,
        webhook_secret=endpoint.secret,
        api_key_id=full.api_key.id,
        key=full.key,
        read_only_key=read_only.key,
        revoked_key=revoked.key,
        session=session,
        upload_id=upload.id,
        message_id=message.id,
        instrument=mini_instrument_version.key,
        open_assessment_id=waiting.assessment.id,
    )


@pytest.fixture
def attacker(db: Session, victim: Victim) -> Attacker:
    org = create_organisation(db=db, name="Intruder Ltd", slug="intruder")
    admin = create_user(
        db=db,
        organisation=org,
        email="admin@intruder.example",
        role="admin",
        password="intruder-password-1",
    )
    manager = create_user(
        db=db,
        organisation=org,
        email="manager@intruder.example",
        role="manager",
        password="intruder-password-2",
    )
    key = create_api_key(db=db, organisation=org, name="intruder").key
    sessions = open_session(db=db, user=admin), open_session(db=db, user=manager)
    db.commit()
    return Attacker(key=key, admin_session=sessions[0], manager_session=sessions[1])


def team_manager_of_another_team(db: Session, victim: Victim) -> str:
    """The session of the "another team's manager" actor: a manager of the victim's own
    organisation, assigned to a team other than the victim's."""
    organisation = db.get(Organisation, victim.organisation_id)
    assert organisation is not None
    other_team = create_team(db=db, organisation=organisation, name="Scorpion Squad")
    manager = create_user(
        db=db,
        organisation=organisation,
        email="milo.manager@vulpecula.example",
        role="manager",
        password="colleague-password-1",
    )
    db.flush()
    teams.assign_manager(db=db, team=other_team, user_id=manager.id, actor="cli")
    session = open_session(db=db, user=manager)
    db.commit()
    return session


# --- requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request an actor makes, and what it must get."""

    method: str
    url: str
    headers: dict[str, str]
    entry: Entry
    expect: frozenset[int] | None  # None: any status, as long as no data leaks
    # A redirect to a path starting so is as good as a refusal (the sign-in page; a wrong
    # link's own page, which is a 404).
    redirect_to: str | None = None


def _fill(template: str, victim: Victim) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PARAMETERS:
            pytest.fail(
                f"parameter {{{name}}} has no victim value: add it to PARAMETERS in "
                "tests/integration/isolation_routes.py"
            )
        return str(getattr(victim, PARAMETERS[name]))

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, template)


def _fill_all(data: Any, victim: Victim) -> Any:
    if isinstance(data, str):
        return _fill(data, victim)
    if isinstance(data, dict):
        return {k: _fill_all(v, victim) for k, v in data.items()}
    if isinstance(data, list):
        return [_fill_all(v, victim) for v in data]
    return data


def _path(key: str, victim: Victim) -> str:
    path = key.split(" ", 1)[1]
    if path == "/static":
        return "/static/" + sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file())[0]
    return _fill(path, victim)


def _names_victim_data(entry: Entry, path_template: str) -> bool:
    """Whether the path or query holds one of the victim's ids (then only 404 will do)."""
    in_query = not entry.filters and "{" in repr(list(entry.query.values()))
    return "{" in path_template or in_query


def _needs_write(method: str, entry: Entry) -> bool:
    return entry.write if entry.write is not None else method not in READ_METHODS


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={token}"}


def key_like(victim: Victim) -> str:
    """A key with the victim's prefix (looked up) and a wrong secret (the hash differs)."""
    prefix = victim.key.split("_")[2]
    return f"sf_live_{prefix}_{secrets.token_urlsafe(32)}"


def one_off(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def _calls_for(actor: str, key: str, entry: Entry, victim: Victim, ctx: Any) -> Iterator[Call]:
    method = key.split(" ", 1)[0]
    template = key.split(" ", 1)[1]
    url = _path(key, victim)
    names_ids = _names_victim_data(entry, template)
    kind = entry.kind

    def call(
        headers: dict[str, str],
        expect: set[int] | None,
        *,
        url: str = url,
        redirect_to: str | None = None,
    ) -> Call:
        return Call(method, url, headers, entry, frozenset(expect) if expect else None, redirect_to)

    key_auth = {"api": bearer, "greenhouse": basic}.get(kind)
    refused = {403, 404, *entry.refused} if names_ids else None
    if actor == "other_org":
        if key_auth:
            yield call(key_auth(ctx.attacker.key), refused)
        elif kind == "manager":
            yield call(cookie(ctx.attacker.admin_session), refused)
    elif actor == "other_team_manager":
        if kind == "manager":
            yield call(cookie(ctx.team_manager), refused)
    elif actor == "revoked_key":
        if key_auth:
            yield call(key_auth(victim.revoked_key), {401})
    elif actor == "read_only_key":
        if key_auth and _needs_write(method, entry):
            yield call(key_auth(victim.read_only_key), {403})
    elif actor == "anonymous":
        if key_auth:
            yield call({}, {401})
        elif kind == "manager":
            yield call({}, {401, 403}, redirect_to="/login")
        elif kind == "public":
            yield call({}, None)
    elif actor == "wrong_token":
        if key_auth:
            yield call(key_auth(key_like(victim)), {401})
            yield call(key_auth("sf_live_x"), {401})
        elif kind == "manager":
            yield call(cookie(secrets.token_urlsafe(32)), {401, 403}, redirect_to="/login")
        elif kind == "participant" and "{token}" in template:
            for token in (secrets.token_urlsafe(24), one_off(victim.token), victim.token.upper()):
                wrong = url.replace(victim.token, token)
                yield call({}, {403, 404, 409}, url=wrong, redirect_to=f"/a/{token}")


ACTORS = [
    "other_org",
    "other_team_manager",
    "revoked_key",
    "read_only_key",
    "anonymous",
    "wrong_token",
]


def _send(http: httpx.Client, call: Call, victim: Victim) -> httpx.Response:
    entry = call.entry
    query = _fill_all(entry.query, victim)
    kwargs: dict[str, Any] = {"params": query, "headers": call.headers}
    if entry.json is not None:
        kwargs["json"] = _fill_all(entry.json, victim)
    elif entry.form is not None:
        kwargs["data"] = _fill_all(entry.form, victim)
    response = http.request(call.method, call.url, **kwargs)
    http.cookies.clear()  # each call carries exactly the credential it names
    return response


def _problems(
    call: Call,
    response: httpx.Response,
    victim: Victim,
    sent: str,
    *,
    same_organisation: bool = False,
) -> list[str]:
    where = f"{call.method} {call.url} -> {response.status_code}"
    found = []
    status = response.status_code
    location = response.headers.get("location", "") if status in (302, 303, 307) else ""
    redirected_well = bool(call.redirect_to) and location.startswith(call.redirect_to or "")
    if call.expect is not None and status not in call.expect and not redirected_well:
        found.append(f"{where}: expected {sorted(call.expect)}")
    if status >= 500:
        found.append(f"{where}: a server error")
    text = (
        response.content.decode("latin-1")
        + "\n"
        + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    )
    for marker in victim.markers(same_organisation=same_organisation):
        if marker in sent:
            continue  # echoed from the request itself (e.g. the problem's `instance`)
        if marker in text:
            found.append(f"{where}: the answer holds the victim's {marker!r}")
    return found


# --- the tests ---------------------------------------------------------------------------


def test_every_route_has_an_entry(settings: Settings) -> None:
    from app.main import create_app

    keys = route_keys(create_app(settings))
    missing = [key for key in keys if key not in ROUTES]
    assert not missing, (
        "routes without an entry in the isolation walk (tests/integration/isolation_routes.py): "
        + ", ".join(missing)
    )
    stale = sorted(set(ROUTES) - set(keys))
    assert not stale, f"entries of the isolation walk for routes that do not exist: {stale}"


def _victim_rows(db: Session, victim: Victim) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the victim's (by organisation, or by assessment), volatile columns left
    out, in a stable order."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    assessment_ids = select(Assessment.id).where(
        Assessment.organisation_id == victim.organisation_id
    )
    for table in Base.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
        if table.name == "organisations":
            condition = table.c.id == victim.organisation_id
        elif "organisation_id" in table.c:
            condition = table.c.organisation_id == victim.organisation_id
        elif "assessment_id" in table.c:
            condition = table.c.assessment_id.in_(assessment_ids)
        else:
            continue
        rows = db.execute(select(*columns).where(condition)).all()
        snapshot[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return snapshot


def _cross_tenant_references(db: Session) -> list[str]:
    """Rows whose organisation differs from that of a row they refer to."""
    found = []
    for table in Base.metadata.sorted_tables:
        if "organisation_id" not in table.c:
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                parent: Table = fk.column.table  # type: ignore[assignment]
                if parent.name == "organisations" or "organisation_id" not in parent.c:
                    continue
                count = db.scalar(
                    select(func.count())
                    .select_from(table.join(parent, column == fk.column))
                    .where(table.c.organisation_id != parent.c.organisation_id)
                )
                if count:
                    found.append(f"{table.name}.{column.name}: {count} rows")
    return found


def _ordered(keys: list[str]) -> list[str]:
    # Signing out ends the actor's session: walked last.
    return sorted(keys, key=lambda key: ("/logout" in key, key))


@pytest.mark.parametrize("actor", ACTORS)
def test_no_actor_gets_the_victims_data(
    actor: str, http: httpx.Client, db: Session, victim: Victim, attacker: Attacker
) -> None:
    colleague = actor == "other_team_manager"
    ctx = SimpleNamespace(
        attacker=attacker,
        team_manager=team_manager_of_another_team(db, victim) if colleague else None,
    )
    before = _victim_rows(db, victim)
    db.rollback()
    problems: list[str] = []
    walked = 0
    for key in _ordered(list(ROUTES)):
        entry = ROUTES[key]
        for call in _calls_for(actor, key, entry, victim, ctx):
            response = _send(http, call, victim)
            sent = call.url + repr(call.headers) + repr(entry.query) + repr(entry.json)
            sent += repr(_fill_all(entry.query, victim)) + repr(_fill_all(entry.form, victim))
            sent += repr(_fill_all(entry.json, victim))
            problems += _problems(call, response, victim, sent, same_organisation=colleague)
            walked += 1
    assert walked, f"the {actor} actor walked no route"
    assert not problems, f"{actor}:\n" + "\n".join(problems)
    db.expire_all()
    assert _victim_rows(db, victim) == before, f"{actor} changed the victim's data"
    assert _cross_tenant_references(db) == []


def test_the_walk_can_fail(http: httpx.Client, db: Session, victim: Victim) -> None:
    """The checks see a leak when there is one: the victim's own key reads its own Greenhouse
    order, judged as if it were another organisation's key."""
    own = Call(
        "GET",
        "/integrations/greenhouse/test_status",
        basic(victim.key),
        ROUTES["GET /integrations/greenhouse/test_status"],
        frozenset({404}),
    )
    response = _send(http, own, victim)
    assert response.status_code == 200
    # Only the path counts as sent here, so the id in the answer is flagged too.
    problems = _problems(own, response, victim, sent=own.url)
    assert any("expected [404]" in p for p in problems)
    assert any(victim.assessment_id in p for p in problems)  # partner_profile_url names it


def test_the_colleague_check_can_fail(http: httpx.Client, db: Session, victim: Victim) -> None:
    """The other-team-manager actor is judged by team, not organisation: the victim team's own
    manager, judged as that actor, is flagged on the team page."""
    organisation = db.get(Organisation, victim.organisation_id)
    assert organisation is not None
    own = create_user(
        db=db,
        organisation=organisation,
        email="tess.manager@vulpecula.example",
        role="manager",
        password="colleague-password-2",
    )
    db.flush()
    team = teams.get_team(db=db, organisation_id=victim.organisation_id, team_id=victim.team_id)
    teams.assign_manager(db=db, team=team, user_id=own.id, actor="cli")
    session = open_session(db=db, user=own)
    db.commit()
    call = Call(
        "GET",
        f"/app/teams/{victim.team_id}",
        cookie(session),
        ROUTES["GET /app/teams/{team_id}"],
        frozenset({403, 404}),
    )
    response = _send(http, call, victim)
    assert response.status_code == 200
    problems = _problems(call, response, victim, sent=call.url, same_organisation=True)
    assert any("expected [403, 404]" in p for p in problems)
    assert any(victim.team_name in p for p in problems)
    assert any(victim.first_name in p for p in problems)  # the team's rep is listed
