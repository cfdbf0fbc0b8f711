"""Team matching against brute force, slots, gaps and rankings."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.instrument.process import STAGE_KEYS
from app.scoring.matching import match_team, stage_slots


def _brute_force(fit: dict[str, dict[str, float]], slots: dict[str, int]) -> float:
    """Best total over every way to give each rep a stage (or none) within the slots,
    filling as many slots as possible, as the contract says."""
    reps = sorted(fit)
    choices = [*STAGE_KEYS, None]
    best_count, best_total = -1, -math.inf
    for combo in itertools.product(choices, repeat=len(reps)):
        used = {s: combo.count(s) for s in STAGE_KEYS}
        if any(used[s] > slots[s] for s in STAGE_KEYS):
            continue
        count = sum(1 for s in combo if s is not None)
        total = sum(fit[r][s] for r, s in zip(reps, combo, strict=True) if s is not None)
        if (count, total) > (best_count, best_total):
            best_count, best_total = count, total
    return best_total


fits = st.integers(1, 10).map(float)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    n_reps=st.integers(1, 4),
    with_headcounts=st.booleans(),
)
def test_total_fit_equals_brute_force(
    data: st.DataObject, n_reps: int, with_headcounts: bool
) -> None:
    reps = [f"rep{k}" for k in range(n_reps)]
    fit = {r: {s: data.draw(fits) for s in STAGE_KEYS} for r in reps}
    headcounts = (
        {
            s: data.draw(st.integers(0, 2))
            for s in data.draw(st.sets(st.sampled_from(STAGE_KEYS), max_size=3))
        }
        if with_headcounts
        else None
    )
    match = match_team(fit, headcounts=headcounts)
    slots = stage_slots(n_reps, headcounts)
    assert match.total_fit == pytest.approx(_brute_force(fit, slots))
    # Every slot limit holds, and reps are assigned to as many slots as exist.
    for stage in STAGE_KEYS:
        assert len(match.reps_at(stage)) <= slots[stage]
    assert len(match.assignments) == min(n_reps, sum(slots.values()))
    assert sum(fit[r][s] for r, s in match.assignments.items()) == pytest.approx(match.total_fit)


def test_without_headcounts_reps_spread_over_stages() -> None:
    # Everyone fits closing best; without head-counts a stage takes ceil(8/7) = 2 reps at most.
    fit = {
        f"r{k}": {s: (10.0 if s == "closing_negotiation" else 5.0 - k / 10) for s in STAGE_KEYS}
        for k in range(8)
    }
    match = match_team(fit)
    assert set(match.slots.values()) == {2}
    assert len(match.reps_at("closing_negotiation")) == 2
    assert len(match.assignments) == 8


def test_headcounts_leave_extra_reps_unassigned_and_report_gaps() -> None:
    fit = {
        "ann": {s: 8.0 if s == "expansion" else 3.0 for s in STAGE_KEYS},
        "bob": {s: 7.0 if s == "expansion" else 6.0 for s in STAGE_KEYS},
        "cid": {s: 2.0 for s in STAGE_KEYS},
    }
    match = match_team(fit, headcounts={"expansion": 1, "lead_evaluation": 1})
    assert match.assignments == {"ann": "expansion", "bob": "lead_evaluation"}
    assert match.unassigned == ("cid",)
    gap_stages = {g.stage: g for g in match.gaps}
    assert "expansion" not in gap_stages
    assert gap_stages["needs_exploration"].codes == ("unassigned",)
    assert "head-count for this stage is 0" in gap_stages["needs_exploration"].reasons[0]


def test_no_strength_gap_uses_bands() -> None:
    fit = {"ann": dict.fromkeys(STAGE_KEYS, 5.0)}
    bands = {
        "ann": {s: ("small_strength" if s == "expansion" else "medium_impact") for s in STAGE_KEYS}
    }
    match = match_team(fit, bands=bands)  # type: ignore[arg-type]
    gaps = {g.stage: g.codes for g in match.gaps}
    assert "expansion" not in gaps or "no_strength" not in gaps["expansion"]
    assert "no_strength" in gaps["lead_evaluation"]
    # One rep covers one stage; the six others have nobody.
    assert sum("unassigned" in codes for codes in gaps.values()) == 6


def test_rankings_best_first_and_missing_scores_left_out() -> None:
    fit = {
        "ann": {**dict.fromkeys(STAGE_KEYS, 4.0), "expansion": 9.0},
        "bob": {s: 6.0 for s in STAGE_KEYS if s != "expansion"},
        "cid": dict.fromkeys(STAGE_KEYS, 6.0),
    }
    match = match_team(fit)
    assert match.rankings["expansion"] == ("ann", "cid")
    assert match.rankings["lead_evaluation"] == ("bob", "cid", "ann")
    assert match.assignments.get("bob") != "expansion"


def test_unknown_stage_in_headcounts_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stages"):
        match_team({"ann": dict.fromkeys(STAGE_KEYS, 1.0)}, headcounts={"golf": 1})
