"""`stagefit team create|list`: an organisation's teams."""

from __future__ import annotations

import typer

from app.cli.service import _print_json, _session

team_cli = typer.Typer(help="Teams of reps.", no_args_is_help=True)


@team_cli.command("create")
def team_create(
    name: str = typer.Argument(..., help="The team's name (unique in the organisation)."),
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    as_json: bool = typer.Option(False, "--json", help="Print {id, name}."),
) -> None:
    """Create a team."""
    from app.services.organisations import create_team, get_organisation

    with _session() as db:
        team = create_team(db=db, organisation=get_organisation(db=db, slug=org), name=name)
        out = {"id": team.id, "name": team.name}
    if as_json:
        _print_json(out)
    else:
        typer.echo(f"team {out['name']!r} created (id {out['id']})")


@team_cli.command("list")
def team_list(
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    archived: bool = typer.Option(False, "--archived", help="Include archived teams."),
    as_json: bool = typer.Option(False, "--json", help="Print [{id, name, archived}]."),
) -> None:
    """The organisation's teams by name (live ones unless --archived)."""
    from app.services.organisations import get_organisation
    from app.services.teams import list_teams

    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        rows = [
            {"id": t.id, "name": t.name, "archived": t.archived_at is not None}
            for t in list_teams(db=db, organisation_id=organisation.id, archived=archived)
        ]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['name']}{'  (archived)' if row['archived'] else ''}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(team_cli, name="team")
