"""Invalid and caution results in a team: shown greyed with the reason, kept out of the
rankings, the suggested assignment and the gaps (caution ones only by default), in the view
model and in the rendered team PDF."""

from __future__ import annotations

from typing import Any

import pytest

from app.reports import render
from app.reports.team_context import TeamReport, sort_members, team_report
from app.reports.validity_reason import validity_reason
from app.reports.views import Branding, RepResult
from app.scoring.result import Result, Validity, ValidityFlag
from tests.unit.report_helpers import pdf_pages, real_instrument, simulated_result

NAMES = ["Amara Okafor", "Lukas Brandt", "Sofia Marquez", "Henrik Lindqvist", "Priya Raman"]


@pytest.fixture(scope="module")
def instrument() -> Any:
    return real_instrument()


def _rep(instrument: Any, k: int, name: str, **kw: Any) -> RepResult:
    payload = simulated_result(instrument, seed=300 + k, assessment_id=f"a{k}", **kw)
    return RepResult(f"a{k}", name, Result.from_json(payload))


@pytest.fixture(scope="module")
def team(instrument: Any) -> list[RepResult]:
    reps = [_rep(instrument, k, name) for k, name in enumerate(NAMES)]
    # Strong everywhere, but clicked through at a second an item: invalid.
    rushed = _rep(
        instrument,
        9,
        "Rushed Rep",
        latent={c.key: 2.0 for c in instrument.competencies},
        seconds_per_item=1.0,
    )
    assert rushed.result.validity.status == "invalid"
    assert all(r.result.validity.status == "valid" for r in reps)
    return [*reps, rushed]


def _report(instrument: Any, members: list[RepResult], **kw: Any) -> TeamReport:
    return team_report(
        instrument=instrument,
        team_name="Field Sales",
        members=members,
        branding=Branding("Northwind"),
        **kw,
    )


def test_an_invalid_result_is_shown_but_never_ranked_or_assigned(
    instrument: Any, team: list[RepResult]
) -> None:
    for include_caution in (False, True):
        report = _report(instrument, team, include_caution=include_caution)
        rushed = next(m for m in report.members if m.name == "Rushed Rep")
        assert rushed.excluded is not None and rushed.excluded.startswith("Invalid: ")
        assert "answered too fast" in rushed.excluded
        assert rushed.stages  # still shown on the heat map
        assert [m.name for m in report.excluded] == ["Rushed Rep"]
        for stage in report.stages:
            assert rushed not in [m for m, _ in stage.assigned]
            assert rushed not in [m for m, _ in stage.ranking]
            assert rushed not in stage.not_enough
        assert rushed not in report.unassigned
        # The five valid reps fill the slots of an even spread (one per stage, five stages).
        assert sum(len(s.assigned) for s in report.stages) == len(NAMES)


def test_without_the_invalid_rep_the_assignment_is_the_same(
    instrument: Any, team: list[RepResult]
) -> None:
    with_rushed = _report(instrument, team, headcounts={"expansion": 2, "lead_evaluation": 3})
    without = _report(instrument, team[:-1], headcounts={"expansion": 2, "lead_evaluation": 3})
    assert [[m.id for m, _ in s.assigned] for s in with_rushed.stages] == [
        [m.id for m, _ in s.assigned] for s in without.stages
    ]
    assert [s.gap_codes for s in with_rushed.stages] == [s.gap_codes for s in without.stages]
    assert with_rushed.priorities == without.priorities


def test_caution_results_are_kept_out_by_default_and_ranked_when_asked(
    instrument: Any, team: list[RepResult]
) -> None:
    # Slow enough not to be invalid, fast enough for a caution.
    cautious = _rep(instrument, 20, "Careful Caution", seconds_per_item=2.2)
    assert cautious.result.validity.status == "caution"
    members = [*team[:2], cautious]
    default = _report(instrument, members)
    entry = next(m for m in default.members if m.name == "Careful Caution")
    assert entry.excluded is not None and entry.excluded.startswith("Caution: ")
    assert all(entry not in [m for m, _ in s.ranking] for s in default.stages)
    included = _report(instrument, members, include_caution=True)
    entry = next(m for m in included.members if m.name == "Careful Caution")
    assert entry.excluded is None and entry.reason is not None
    assert any(entry in [m for m, _ in s.assigned] for s in included.stages)


def test_the_team_pdf_greys_the_invalid_rep_with_the_reason(
    instrument: Any, team: list[RepResult]
) -> None:
    text = " ".join(pdf_pages(render.pdf("team", _report(instrument, team))))
    flat = " ".join(text.split())
    assert "Invalid: answered too fast" in flat
    assert "Not assigned because of their result: Rushed Rep (Invalid: answered too fast" in flat
    assignment = flat.split("Suggested assignment")[1].split("Not assigned because")[0]
    assert "Rushed Rep" not in assignment
    ranked = flat.split("Reps ranked per stage")[1].split("How to read")[0]
    assert "Rushed Rep" not in ranked
    assert "Negotia-" not in text and "Negotia- tion" not in flat


def test_sorting_by_a_stage_puts_the_best_fit_first_and_excluded_reps_last(
    instrument: Any, team: list[RepResult]
) -> None:
    report = _report(instrument, team)
    ordered = sort_members(report.members, "expansion")
    stens = [m.stages["expansion"].sten for m in ordered if m.excluded is None]
    assert stens == sorted(stens, key=lambda s: -(s or 0))
    assert ordered[-1].name == "Rushed Rep"


def test_the_reason_names_the_flags_at_the_results_level() -> None:
    flags = (
        ValidityFlag("too_fast", "invalid", "…"),
        ValidityFlag("fast_pages", "invalid", "…"),
        ValidityFlag("impression_management", "caution", "…"),
    )
    assert validity_reason(Validity("valid", ())) is None
    assert (
        validity_reason(Validity("invalid", flags))
        == "Invalid: answered too fast, pages answered too fast"
    )
    caution = Validity("caution", (ValidityFlag("long_string", "caution", "…"),))
    assert validity_reason(caution) == "Caution: long runs of identical answers"
