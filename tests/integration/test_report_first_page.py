"""Page 1 of the Sales Manager Report, as a PDF reader reads it: the seven-stage chart, one line on
the five bands and the first three actions, each coaching the stage it names; and no developer
internals (file paths, seeds, checksums, ids) in any customer PDF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.reports import render
from app.reports.context import RepReport, rep_report
from app.reports.team_context import team_report
from app.reports.views import Branding, RepResult
from app.scoring.result import Result
from tests.unit.report_helpers import pdf_text, real_instrument, simulated_result

NAME = "Dana Whitfield"
ORG = "Acme Sales GmbH"
# What must never reach a customer: source files, seeds, checksums, long hex ids.
INTERNALS = [
    re.compile(r"\w+\.py\b"),
    re.compile(r"\bseed\b", re.IGNORECASE),
    re.compile(r"sha256", re.IGNORECASE),
    re.compile(r"\bchecksum\b", re.IGNORECASE),
    re.compile(r"\b[0-9a-f]{16,}\b"),
    re.compile(r"app/scoring"),
]


@pytest.fixture(scope="module")
def instrument() -> Any:
    return real_instrument()


def _report(instrument: Any, seed: int, latent: dict[str, float], kind: str) -> RepReport:
    result = simulated_result(instrument, seed=seed, latent=latent, assessment_id="a-1")
    return rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG, "#7a1f5c"),
        kind=kind,
    )


@pytest.fixture(scope="module")
def spread(instrument: Any) -> RepReport:
    keys = [c.key for c in instrument.competencies]
    latent = {key: (-2.2, -1.0, 0.0, 1.0, 2.2)[k % 5] for k, key in enumerate(keys)}
    return _report(instrument, 11, latent, "manager")


@pytest.fixture(scope="module")
def clear_best(instrument: Any) -> RepReport:
    # Strong for the third stage's competencies only, weak elsewhere: a clear best stage.
    mine = {sc.competency for sc in instrument.stages[2].competencies}
    latent = {c.key: (2.5 if c.key in mine else -0.5) for c in instrument.competencies}
    return _report(instrument, 12, latent, "manager")


@pytest.fixture(scope="module")
def doubtful(instrument: Any) -> RepReport:
    # Answered too fast: the validity banner with its reasons takes room on page 1 too.
    result = simulated_result(instrument, seed=4, seconds_per_item=1.0, assessment_id="a-2")
    assert result["validity"]["status"] != "valid"
    return rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
        paper="letter",
    )


@pytest.mark.parametrize("which", ["spread", "clear_best", "doubtful"])
def test_page_one_has_the_stage_chart_the_bands_line_and_three_actions(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report: RepReport = request.getfixturevalue(which)
    first = pdf_text(render.pdf("manager", report), page=1)
    for stage in report.stages:
        assert stage.name in first, stage.name
    assert "five bands: Risk 1–2 · Small risk 3–4 · Medium impact 5–6" in first
    assert "Small strength 7–8 · Strength 9–10" in first
    assert "Manager actions: the first three things to do" in first
    assert len(report.actions) == 3
    for k, action in enumerate(report.actions, start=1):
        assert f"{k}. {action.competency.name}" in first
        assert f"In {action.stage}:" in first
        # Words of the action itself, not just its heading (line breaks fall anywhere).
        assert " ".join(action.action.split()[:6]) in first


def test_each_action_coaches_the_stage_it_names(
    spread: RepReport, clear_best: RepReport, instrument: Any
) -> None:
    coaching = {s.name["en"]: [c["en"] for c in s.coaching] for s in instrument.stages}
    for report in (spread, clear_best):
        for action in report.actions:
            assert action.stage in action.why, "the heading names another stage"
            assert action.action in coaching[action.stage]
        # Two actions in one stage do not repeat the same advice.
        assert len({a.action for a in report.actions}) == len(report.actions)


def test_no_developer_internals_in_customer_pdfs(
    spread: RepReport, instrument: Any, tmp_path: Path
) -> None:
    members = [
        RepResult(
            f"a{k}",
            f"Rep {k}",
            Result.from_json(simulated_result(instrument, seed=200 + k, assessment_id=f"a{k}")),
        )
        for k in range(3)
    ]
    team = team_report(
        instrument=instrument, team_name="Field Sales", members=members, branding=Branding(ORG)
    )
    participant = _report(instrument, 11, {}, "participant")
    texts = {
        "manager": pdf_text(render.pdf("manager", spread)),
        "participant": pdf_text(render.pdf("participant", participant)),
        "team": pdf_text(render.pdf("team", team)),
    }
    norms = instrument.norms
    day = int(norms.date[8:10])
    for kind, text in texts.items():
        found = [p.pattern for p in INTERNALS if p.search(text)]
        assert found == [], f"{kind}: {found}"
        # What the method notes do say, in plain words.
        assert f"{instrument.title['en']}, version {instrument.version}" in text, kind
        assert f"norm table of {day} " in text, kind
    assert "Scored: on " in texts["manager"]
