"""`stagefit db|serve|org|user|apikey|demo|run-local`: running and seeding the service."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from app.config import Settings, get_settings
from app.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

db_cli = typer.Typer(help="The database.", no_args_is_help=True)
org_cli = typer.Typer(help="Organisations.", no_args_is_help=True)
user_cli = typer.Typer(help="Manager and admin sign-ins.", no_args_is_help=True)
apikey_cli = typer.Typer(help="API keys for HR systems.", no_args_is_help=True)


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that is unreachable or not migrated is one line, not a traceback."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        missing_table = "no such table" in reason or "does not exist" in reason
        hint = " (run `stagefit db upgrade` first)" if missing_table else ""
        raise UserError(f"database error: {reason}{hint}") from None


@contextmanager
def _session(settings: Settings | None = None) -> Iterator[Session]:
    """One committed transaction on the configured database."""
    from app.db import Database

    database = Database(settings or get_settings())
    try:
        with _database_errors(), database.session() as db:
            yield db
    finally:
        database.engine.dispose()


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


def _upgrade(settings: Settings, *, instruments: bool = True) -> None:
    from app.migrations import upgrade
    from app.services.instruments import load_instruments

    with _database_errors():
        upgrade(settings.database_url)
    if instruments and settings.questionnaires_dir.is_dir():
        with _session(settings) as db:
            load_instruments(db=db, directory=settings.questionnaires_dir)


@db_cli.command("upgrade")
def db_upgrade(
    instruments: bool = typer.Option(
        True, help="Also load the instrument files of the questionnaires directory."
    ),
) -> None:
    """Migrate the database to the newest schema (and load the instruments)."""
    _upgrade(get_settings(), instruments=instruments)
    typer.echo("database is up to date", err=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Run the web service."""
    import uvicorn

    from app.main import create_app
    from app.server import uvicorn_config

    settings = get_settings()
    uvicorn.Server(uvicorn_config(create_app(settings), settings, host=host, port=port)).run()


@org_cli.command("create")
def org_create(
    name: str = typer.Argument(..., help="The organisation's name."),
    slug: str | None = typer.Option(None, help="URL name; made from NAME when omitted."),
    as_json: bool = typer.Option(False, "--json", help="Print {id, slug}."),
) -> None:
    """Create an organisation."""
    from app.services.organisations import create_organisation

    with _session() as db:
        organisation = create_organisation(db=db, name=name, slug=slug)
        out = {"id": organisation.id, "slug": organisation.slug}
    if as_json:
        _print_json(out)
    else:
        typer.echo(f"organisation {out['slug']} created (id {out['id']})")


def _password_from_stdin_or_new() -> tuple[str, bool]:
    """A piped password (first line), else a generated one that must be printed."""
    from app.services.users import generate_password

    if not sys.stdin.isatty():
        piped = sys.stdin.readline().rstrip("\r\n")
        if piped:
            return piped, False
    return generate_password(), True


@user_cli.command("create")
def user_create(
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    email: str = typer.Option(..., "--email", help="The sign-in e-mail address."),
    role: str = typer.Option("manager", "--role", help="admin or manager."),
    as_json: bool = typer.Option(False, "--json", help="Print {id, email, role[, password]}."),
) -> None:
    """Create a sign-in; the password is read from standard input or generated and printed."""
    from app.services.organisations import get_organisation
    from app.services.users import create_user

    password, generated = _password_from_stdin_or_new()
    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        user = create_user(
            db=db, organisation=organisation, email=email, role=role, password=password
        )
        out: dict[str, str] = {"id": user.id, "email": user.email, "role": user.role}
    if generated:
        out["password"] = password
    if as_json:
        _print_json(out)
        return
    typer.echo(f"user {out['email']} ({out['role']}) created")
    if generated:
        typer.echo(f"password: {password}")


@user_cli.command("remove")
def user_remove(
    email: str = typer.Option(..., "--email", help="The sign-in to remove."),
) -> None:
    """Remove a sign-in; its open sessions end at once."""
    from app.services.users import remove_user

    with _session() as db:
        remove_user(db=db, email=email)
    typer.echo(f"user {email.strip().lower()} removed")


@apikey_cli.command("create")
def apikey_create(
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    name: str = typer.Option(..., "--name", help="What the key is for, e.g. 'Greenhouse'."),
    scopes: str = typer.Option(
        "read write", "--scopes", help="'read' (look up only), 'write', or 'read write'."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print {id, key, scopes}."),
) -> None:
    """Print a new API key; it is shown this once and stored only as a hash."""
    from app.services.apikeys import create_api_key
    from app.services.organisations import get_organisation

    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        created = create_api_key(db=db, organisation=organisation, name=name, scopes=scopes)
        out = {"id": created.api_key.id, "key": created.key, "scopes": created.api_key.scopes}
    if as_json:
        _print_json(out)
    else:
        typer.echo(out["key"])
        typer.echo("Keep it now: StageFit stores only its hash.", err=True)


@apikey_cli.command("list")
def apikey_list(
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """The organisation's API keys: name, scopes, when made, last used, revoked."""
    from app.clock import rfc3339
    from app.services.apikeys import list_api_keys
    from app.services.organisations import get_organisation

    with _session() as db:
        keys = list_api_keys(db=db, organisation=get_organisation(db=db, slug=org))
        rows = [
            {
                "id": k.id,
                "name": k.name,
                "prefix": f"sf_live_{k.prefix}_…",
                "scopes": k.scopes,
                "created_at": rfc3339(k.created_at),
                "last_used_at": rfc3339(k.last_used_at),
                "revoked_at": rfc3339(k.revoked_at),
            }
            for k in keys
        ]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        used = row["last_used_at"] or "never"
        key = f"{row['id']}  {row['prefix']}  {row['name']!r}  [{row['scopes']}]"
        typer.echo(f"{key}  {state}, last used {used}")


@apikey_cli.command("revoke")
def apikey_revoke(
    key_id: str = typer.Argument(..., help="The key's id (from `stagefit apikey list`)."),
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
) -> None:
    """Revoke a key at once: its next request gets 401."""
    from app.services.apikeys import find_api_key, revoke_api_key
    from app.services.organisations import get_organisation

    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        revoke_api_key(db=db, api_key=find_api_key(db=db, organisation=organisation, key_id=key_id))
    typer.echo(f"API key {key_id} revoked")


def _demo(settings: Settings) -> dict[str, Any]:
    from app.services.demo import seed_demo

    with _session(settings) as db:
        return seed_demo(db=db, settings=settings)


def _describe_demo(demo: dict[str, Any], settings: Settings) -> str:
    urls = demo["invitation_urls"]
    lines = [
        f"StageFit demo: {demo['organisation']}, team {demo['team_name']!r} "
        f"({len(demo['completed_assessment_ids'])} completed assessments)",
        f"  Manager sign-in:  {settings.base_url}/login",
        f"    e-mail:    {demo['manager']['email']}",
        f"    password:  {demo['manager']['password']}",
        f"  API key:          {demo['api_key']}",
        "  Open invitations (a rep's link):",
        *(f"    {url}" for url in urls),
    ]
    return "\n".join(lines)


def demo(
    as_json: bool = typer.Option(False, "--json", help="Print the demo's data as JSON."),
) -> None:
    """Seed a demo organisation; running it again reports the same demo."""
    settings = get_settings()
    data = _demo(settings)
    if as_json:
        _print_json({key: data[key] for key in DEMO_JSON_KEYS})
    else:
        typer.echo(_describe_demo(data, settings))


DEMO_JSON_KEYS = ("manager", "api_key", "team_id", "invitation_urls", "completed_assessment_ids")


def run_local(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """What `make run` does: migrate, seed the demo once, say where to go, serve."""
    from app.delivery.smtp import describe_transport

    settings = get_settings()
    local = f"http://{host}:{port}"
    if not os.environ.get("STAGEFIT_BASE_URL"):
        settings.base_url = local  # printed links must point at where we serve
    typer.echo("Preparing the database ...", err=True)
    _upgrade(settings)
    data = _demo(settings)
    banner = [
        "",
        "=" * 72,
        f"StageFit is running at {local}",
        "",
        _describe_demo(data, settings),
        "",
        describe_transport(settings),
        "",
        "Open an invitation link to take the assessment as a rep (try a phone-sized window);",
        "the demo's sign-in and key are kept in var/demo.json. Stop with Ctrl+C.",
        "=" * 72,
        "",
    ]
    typer.echo("\n".join(banner))
    serve(host=host, port=port)


def register(cli: typer.Typer) -> None:
    cli.add_typer(db_cli, name="db")
    cli.add_typer(org_cli, name="org")
    cli.add_typer(user_cli, name="user")
    cli.add_typer(apikey_cli, name="apikey")
    cli.command("serve")(serve)
    cli.command("demo")(demo)
    cli.command("run-local")(run_local)
