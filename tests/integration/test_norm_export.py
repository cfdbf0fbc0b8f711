"""`stagefit export responses`: consented, completed answers, de-identified, as a response CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.instrument.answers import NOT_APPLICABLE, offers_not_applicable
from app.models import InstrumentVersion, Organisation
from app.scoring.plan import NA_CODE, plan_for
from app.scoring.responses import read_responses
from app.scoring.simulate import simulate_answers
from app.services import invitations, participation
from app.services.instruments import instrument_of
from app.services.organisations import create_organisation


def _complete(db: Session, invitation: Any, seed: int, **changes: object) -> dict[str, str]:
    instrument = instrument_of(invitation.assessment.instrument_version)
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(seed))
    answers = {**answers, **changes}  # type: ignore[dict-item]
    participation.complete(
        db=db, assessment=invitation.assessment, answers=answers, seconds=seconds
    )
    return {item_id: str(value) for item_id, value in answers.items()}


def test_exports_consented_completed_answers_without_identities(
    run_cli: Any,
    db: Session,
    org: Organisation,
    invite: Any,
    instrument_version: InstrumentVersion,
    tmp_path: Path,
) -> None:
    instrument = instrument_of(instrument_version)
    na_item = sorted(offers_not_applicable(instrument))[0]
    people = [
        ("Ada", "Quill", "ada@example.com", "EXT-ADA"),
        ("Bo", "Stern", "bo@example.com", "EXT-BO"),
    ]
    exported, secrets = [], []
    for k, (first, last, email, external) in enumerate(people):
        invitation = invite(
            email=email,
            first_name=first,
            last_name=last,
            external_id=external,
            instrument_version=instrument_version,
        )
        exported.append(_complete(db, invitation, seed=k, **{na_item: NOT_APPLICABLE}))
        secrets += [first, last, email, external, invitation.assessment.id]
    # Completed without a recorded consent, still open, and another organisation's: left out.
    unconsented = invite(email="nc@example.com", instrument_version=instrument_version)
    _complete(db, unconsented, seed=7)
    unconsented.assessment.consented_at = None
    invite(email="open@example.com", instrument_version=instrument_version)
    other = create_organisation(db=db, name="Other Org", slug="other-org")
    foreign = invitations.invite(
        db=db,
        organisation=other,
        instrument_version=instrument_version,
        email="x@example.com",
        first_name="Xan",
        last_name="Other",
    )
    _complete(db, foreign, seed=8)
    db.commit()

    out = tmp_path / "answers.csv"
    done = run_cli("export", "responses", "--org", "test-org", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert f"2 consented, de-identified answer sets of {instrument.key} {instrument.version}" in (
        done.stdout
    )
    text = out.read_text(encoding="utf-8")
    for secret in [*secrets, unconsented.assessment.id, "Xan", "x@example.com"]:
        assert secret not in text
    rows = list(csv.reader(text.splitlines()))
    item_ids = [item.id for item in instrument.items]
    assert rows[0] == ["respondent", *item_ids]
    # Exactly the two answer sets, each under a random id.
    got = sorted(tuple(row[1:]) for row in rows[1:])
    assert got == sorted(tuple(answers[i] for i in item_ids) for answers in exported)
    ids = [row[0] for row in rows[1:]]
    assert len(set(ids)) == 2 and all(len(i) == 16 for i in ids)

    # The file is what norming reads: "does not apply" comes back as such.
    matrix = read_responses(out, instrument)
    assert matrix.codes.shape == (2, len(item_ids))
    assert (matrix.codes[:, plan_for(instrument).column[na_item]] == NA_CODE).all()


def test_an_organisation_without_exportable_answers_is_one_line(
    run_cli: Any, org: Organisation, tmp_path: Path
) -> None:
    out = tmp_path / "answers.csv"
    done = run_cli("export", "responses", "--org", "test-org", "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "stagefit: test-org: no completed, consented assessments of sales-process-inventory"
    )
    assert not out.exists()
