"""`stagefit report render|team` in a subprocess against the test database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.models import Organisation
from app.services.organisations import create_team
from tests.integration.test_reports_http import complete
from tests.unit.report_helpers import pdf_pages


def test_render_writes_the_reps_pdf(run_cli: Any, db: Session, invite: Any, tmp_path: Path) -> None:
    invitation = invite(email="cli@example.com", first_name="Cleo", last_name="Line")
    result = complete(db, invitation, seed=7)
    out = tmp_path / "report.pdf"
    done = run_cli("report", "render", invitation.assessment.id, "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(pdf_pages(out.read_bytes()))
    assert "Cleo Line" in text and "Sales Manager Report" in text
    for stage in result["stages"]:
        assert stage["name"] in text
    feedback = tmp_path / "feedback.pdf"
    done = run_cli(
        "report", "render", invitation.assessment.id, "--kind", "participant", "-o", str(feedback)
    )
    assert done.returncode == 0, done.stderr
    assert "Your StageFit feedback" in " ".join(pdf_pages(feedback.read_bytes()))


def test_not_completed_and_unknown_are_one_line_and_exit_1(
    run_cli: Any, invite: Any, tmp_path: Path
) -> None:
    invitation = invite(email="open@example.com")
    out = tmp_path / "x.pdf"
    done = run_cli("report", "render", invitation.assessment.id, "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "invited" in done.stderr and "completed" in done.stderr
    done = run_cli("report", "render", "no-such-id", "-o", str(out))
    assert done.returncode == 1 and done.stderr.strip() == "stagefit: no assessment no-such-id"
    assert not out.exists()


def test_team_writes_the_teams_pdf_and_checks_headcounts(
    run_cli: Any, db: Session, org: Organisation, invite: Any, tmp_path: Path
) -> None:
    team = create_team(db=db, organisation=org, name="South")
    db.commit()
    for k, (first, last) in enumerate([("Ivo", "Nakamura"), ("Jo", "Okafor")]):
        complete(
            db,
            invite(email=f"{first}@example.com", first_name=first, last_name=last, team_id=team.id),
            seed=70 + k,
        )
    out = tmp_path / "team.pdf"
    done = run_cli("report", "team", team.id, "--headcount", "expansion=1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(pdf_pages(out.read_bytes()))
    assert "Ivo Nakamura" in text and "Jo Okafor" in text and "Team Sales Process Report" in text
    bad = run_cli("report", "team", team.id, "--headcount", "closing=2", "-o", str(out))
    assert bad.returncode == 1 and "closing=2" in bad.stderr and "Traceback" not in bad.stderr
    empty = create_team(db=db, organisation=org, name="Empty")
    db.commit()
    none = run_cli("report", "team", empty.id, "-o", str(tmp_path / "e.pdf"))
    assert none.returncode == 1 and "no completed assessments" in none.stderr


def test_a_locale_the_instrument_lacks_is_one_line_naming_the_ones_it_has(
    run_cli: Any, db: Session, org: Organisation, invite: Any, tmp_path: Path
) -> None:
    team = create_team(db=db, organisation=org, name="West")
    db.commit()
    invitation = invite(email="loc@example.com", team_id=team.id)
    complete(db, invitation, seed=9)
    out = tmp_path / "x.pdf"
    for args in (
        ("report", "render", invitation.assessment.id, "--locale", "zz"),
        ("report", "team", team.id, "--locale", "zz"),
    ):
        done = run_cli(*args, "-o", str(out))
        assert done.returncode == 1, args
        assert done.stderr.strip() == "stagefit: unknown locale 'zz': this instrument has en"
    assert not out.exists()
