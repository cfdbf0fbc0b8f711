"""`stagefit worker` and `stagefit outbox list|retry`: running deliveries, and looking after
the messages that did not go out."""

from __future__ import annotations

import typer

from app.cli.service import _print_json, _session
from app.config import get_settings

outbox_cli = typer.Typer(help="Messages waiting to go out, or that did not.", no_args_is_help=True)


def worker(
    concurrency: int = typer.Option(
        0, "--concurrency", help="Deliveries at once (default: STAGEFIT_WORKER_CONCURRENCY)."
    ),
) -> None:
    """Run background jobs (deliveries, expiry, ...) until stopped; run as many as you like."""
    import logging

    from app.worker.runtime import run_worker

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # procrastinate logs every job at INFO: a drain every few seconds would flood the log.
    procrastinate_level = (
        logging.DEBUG if settings.log_level.upper() == "DEBUG" else logging.WARNING
    )
    logging.getLogger("procrastinate").setLevel(procrastinate_level)
    if concurrency < 0:
        raise typer.BadParameter("must be 1 or more", param_hint="--concurrency")
    run_worker(settings, concurrency=concurrency or None)


@outbox_cli.command("list")
def outbox_list(
    org: str = typer.Option(..., "--org", help="The organisation's slug."),
    status: str | None = typer.Option(
        None, "--status", help="dead, retrying, pending or delivered (default: dead and retrying)."
    ),
    limit: int = typer.Option(100, "--limit", min=1, max=10000, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """An organisation's messages that did not go out, newest first, with the last error."""
    from app.clock import rfc3339
    from app.services.organisations import get_organisation
    from app.services.outbox import list_messages

    with _session() as db:
        organisation = get_organisation(db=db, slug=org)
        messages = list_messages(db=db, organisation_id=organisation.id, status=status, limit=limit)
        rows = [
            {
                "id": m.id,
                "kind": m.kind,
                "topic": m.topic,
                "status": m.status,
                "attempts": m.attempts,
                "created_at": rfc3339(m.created_at),
                "next_attempt_at": rfc3339(m.next_attempt_at) if m.status == "pending" else None,
                "last_error": m.last_error,
                "assessment_id": m.assessment_id,
                "endpoint_id": m.endpoint_id,
            }
            for m in messages
        ]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        typer.echo("nothing here", err=True)
    for row in rows:
        when = f", next try {row['next_attempt_at']}" if row["next_attempt_at"] else ""
        typer.echo(
            f"{row['id']}  {row['kind']} {row['topic']}  {row['status']} after "
            f"{row['attempts']} attempt(s){when}: {row['last_error'] or '-'}"
        )


@outbox_cli.command("retry")
def outbox_retry(
    message_id: str = typer.Argument(..., help="The message's id (from `stagefit outbox list`)."),
) -> None:
    """Send a message that did not go out again, now."""
    from app.services.outbox import retry

    with _session() as db:
        retry(db=db, message_id=message_id)
    typer.echo(f"message {message_id} will be sent again now")


def register(cli: typer.Typer) -> None:
    cli.command("worker")(worker)
    cli.add_typer(outbox_cli, name="outbox")
