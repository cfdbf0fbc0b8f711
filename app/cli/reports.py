"""`stagefit report render|team`: write a rep's or a team's PDF report to a file."""

from __future__ import annotations

from pathlib import Path

import typer

from app.config import get_settings

report_cli = typer.Typer(help="PDF reports.", no_args_is_help=True)


def _write(path: Path, pdf: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        from app.errors import UserError

        raise UserError(f"{path}: cannot write ({exc.strerror})") from None


@report_cli.command("render")
def render_report(
    assessment_id: str = typer.Argument(..., help="The completed assessment's id."),
    kind: str = typer.Option("manager", help="manager (Sales Manager Report) or participant."),
    locale: str | None = typer.Option(
        None, help="Language; by default the assessment's, or the instrument's first."
    ),
    paper: str = typer.Option("a4", help="a4 or letter."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the PDF."),
) -> None:
    """Write a rep's PDF report."""
    from app.db import Database
    from app.services.reports import assessment_report

    with Database(get_settings()).session() as db:
        report = assessment_report(
            db=db, assessment_id=assessment_id, kind=kind, locale=locale, paper=paper
        )
    _write(output, report.pdf)
    typer.echo(f"{output}: {kind} report written ({len(report.pdf) // 1024} KB)", err=True)


@report_cli.command("team")
def team_report(
    team_id: str = typer.Argument(..., help="The team's id."),
    headcount: list[str] = typer.Option(
        [], "--headcount", help="STAGE=N reps wanted in a stage; repeat per stage."
    ),
    locale: str | None = typer.Option(None, help="Language; the instrument's first by default."),
    paper: str = typer.Option("a4", help="a4 or letter."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the PDF."),
) -> None:
    """Write a team's PDF report (heat map, rankings, suggested assignment, priorities)."""
    from app.db import Database
    from app.services.reports import parse_headcounts
    from app.services.reports import team_report as build

    counts = parse_headcounts(headcount) if headcount else None
    with Database(get_settings()).session() as db:
        report = build(db=db, team_id=team_id, headcounts=counts, locale=locale, paper=paper)
    _write(output, report.pdf)
    typer.echo(f"{output}: team report written ({len(report.pdf) // 1024} KB)", err=True)


@report_cli.command("demo", hidden=True)
def demo_reports(
    directory: Path = typer.Argument(..., help="Where to write the demo PDFs."),
) -> None:
    """Write the demo's reports (`make report-pngs` turns their pages into PNGs)."""
    from app.db import Database
    from app.services.demo import seed_demo
    from app.services.reports import assessment_report
    from app.services.reports import team_report as build

    settings = get_settings()
    with Database(settings).session() as db:
        demo = seed_demo(db=db, settings=settings)
    first = demo["completed_assessment_ids"][0]
    jobs = [
        ("manager-a4", dict(assessment_id=first, kind="manager")),
        ("manager-letter", dict(assessment_id=first, kind="manager", paper="letter")),
        ("participant", dict(assessment_id=first, kind="participant")),
    ]
    with Database(settings).session() as db:
        for name, options in jobs:
            _write(directory / f"{name}.pdf", assessment_report(db=db, **options).pdf)
        _write(directory / "team.pdf", build(db=db, team_id=demo["team_id"]).pdf)
    typer.echo(f"{directory}: demo reports written", err=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(report_cli, name="report")
