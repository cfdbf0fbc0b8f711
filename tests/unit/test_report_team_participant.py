"""The team report and the participant feedback report, rendered from real results."""

from __future__ import annotations

from typing import Any

import pytest

from app.instrument.loader import load_instrument
from app.reports import render
from app.reports.context import rep_report
from app.reports.team_context import team_report
from app.reports.views import Branding, RepResult
from app.scoring.result import Result
from tests.unit.instrument_helpers import MINI
from tests.unit.report_helpers import BAND_LABELS, pdf_pages, real_instrument, simulated_result

REPS = [
    "Amara Okafor",
    "Lukas Brandt",
    "Sofia Marquez",
    "Henrik Lindqvist",
    "Priya Raman",
    "Tomasz Nowak",
    "Claire Dubois",
    "Matteo Ricci",
    "Aisha Haddad",
]


@pytest.fixture(scope="module")
def instrument() -> Any:
    return real_instrument()


@pytest.fixture(scope="module")
def members(instrument: Any) -> list[RepResult]:
    return [
        RepResult(
            f"a{k}",
            name,
            Result.from_json(simulated_result(instrument, seed=100 + k, assessment_id=f"a{k}")),
        )
        for k, name in enumerate(REPS)
    ]


def _team_text(instrument: Any, members: list[RepResult], **kw: Any) -> list[str]:
    report = team_report(
        instrument=instrument,
        team_name="EMEA Field Sales",
        members=members,
        branding=Branding("Northwind"),
        **kw,
    )
    return pdf_pages(render.pdf("team", report))


def test_team_report_shows_every_rep_and_stage(instrument: Any, members: list[RepResult]) -> None:
    pages = _team_text(instrument, members)
    text = " ".join(pages)
    for name in REPS:
        assert name in text
    for stage in instrument.stages:
        assert stage.name["en"] in text
    for label in BAND_LABELS:
        assert label in text
    for heading in (
        "Heat map",
        "Suggested assignment",
        "Stages nobody covers",
        "Team development priorities",
        "Reps ranked per stage",
    ):
        assert heading in text
    assert 3 <= len(pages) <= 12


def test_heat_map_cells_match_the_results(instrument: Any, members: list[RepResult]) -> None:
    heat = " ".join(_team_text(instrument, members[:1]))
    one = members[0]
    row = heat[heat.index(one.name, heat.index("Heat map")) :]
    for stage in one.result.to_json()["stages"]:
        cell = f"{stage['sten']}{'*' if stage['borderline'] else ''} {stage['band_label']}"
        assert cell in row
        row = row[row.index(cell) + len(cell) :]  # cells in stage order


def test_a_zero_headcount_leaves_a_stage_uncovered(
    instrument: Any, members: list[RepResult]
) -> None:
    counts = {stage.key: 2 for stage in instrument.stages}
    counts["expansion"] = 0
    text = " ".join(_team_text(instrument, members, headcounts=counts))
    gaps = text[text.index("Stages nobody covers") : text.index("Team development priorities")]
    assert "Expansion" in gaps and "head-count for this stage is 0" in gaps


def test_participant_report_is_short_and_developmental(instrument: Any) -> None:
    result = simulated_result(instrument, seed=8)
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name="Priya Raman",
        branding=Branding("Northwind"),
        kind="participant",
    )
    pages = pdf_pages(render.pdf("participant", report))
    text = " ".join(pages)
    assert 2 <= len(pages) <= 6
    assert "Priya Raman" in text and "Where practice helps most" in text
    for stage in result["stages"]:
        assert stage["name"] in text and stage["band_label"] in text
    # The manager's material stays in the manager's report.
    assert "Manager actions" not in text


@pytest.mark.parametrize("source", ["mini", "real"])
def test_participant_report_speaks_to_the_rep(source: str) -> None:
    instrument = load_instrument(MINI) if source == "mini" else real_instrument()
    competencies = {c.key: c for c in instrument.competencies}
    strong, weak = instrument.competencies[0].key, instrument.competencies[-1].key
    result = simulated_result(instrument, seed=21, latent={strong: 3.0, weak: -3.0})
    scored = [c for c in result["competencies"] if c["status"] == "scored"]
    best = max(scored, key=lambda c: c["z"])
    worst = min(scored, key=lambda c: c["z"])
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name="Priya Raman",
        branding=Branding("Northwind"),
        kind="participant",
    )
    text = " ".join(pdf_pages(render.pdf("participant", report)))
    # The strongest and the weakest competency are always shown, each with the rep's own
    # sentence for its band; the weakest also with what the rep can do on their own.
    for entry in (best, worst):
        competency = competencies[entry["key"]]
        assert competency.feedback[entry["band"]]["en"] in text
        assert competency.bands[entry["band"]]["en"] not in text
    weakest = competencies[worst["key"]]
    for action in weakest.self_development:  # every action, not the first two
        assert action["en"] in text
    assert weakest.development[0]["en"] not in text
    # No text written for the manager: the report addresses the rep as "you".
    assert "the rep is likely to" not in text.lower()
    assert "the rep" not in text.lower()
