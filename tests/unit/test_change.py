"""Reliable change index: hand-computed values and classification."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from app.instrument.loader import load_instrument
from app.scoring.change import classify, rci, reliable_change, standard_error_of_difference
from app.scoring.engine import score
from app.scoring.simulate import simulate_answers

MINI = "tests/fixtures/mini-instrument.yaml"


def test_hand_computed_rci() -> None:
    # SD 0.5, r 0.84: SEM = 0.5·0.4 = 0.2, S_diff = √2·0.2 = 0.28284; Δ = 0.6 → RCI 2.1213.
    assert standard_error_of_difference(0.5, 0.84) == pytest.approx(math.sqrt(2) * 0.2)
    assert rci(3.0, 3.6, 0.5, 0.84) == pytest.approx(0.6 / (math.sqrt(2) * 0.2))
    assert rci(3.0, 3.6, 0.5, 0.84) == pytest.approx(2.1213, abs=1e-4)
    assert rci(3.6, 3.0, 0.5, 0.84) == pytest.approx(-2.1213, abs=1e-4)


def test_classification_at_196() -> None:
    assert classify(2.0) == "improved"
    assert classify(-2.0) == "declined"
    assert classify(1.96) == "no reliable change"
    assert classify(-1.5) == "no reliable change"


def test_two_results_of_one_person() -> None:
    instrument = load_instrument(MINI)
    rng = np.random.default_rng(3)
    low, _ = simulate_answers(
        instrument, dict.fromkeys([c.key for c in instrument.competencies], -1.5), rng
    )
    high = dict(low)
    # Move every closing_drive statement to its keyed pole: a large, real change.
    for item in instrument.items:
        if item.type == "likert" and item.competency == "closing_drive":
            high[item.id] = 5 if item.keyed == "+" else 1
    at = datetime(2026, 1, 1, tzinfo=UTC)
    before = score(instrument, low, scored_at=at)
    after = score(instrument, high, scored_at=at)
    changes = {c.key: c for c in reliable_change(before, after, instrument.norms)}
    cd = changes["closing_drive"]
    # The index compares the two competency raw scores, not some other pair of numbers.
    assert (cd.before, cd.after) == (
        before.competency("closing_drive").raw,
        after.competency("closing_drive").raw,
    )
    assert cd.difference == pytest.approx(cd.after - cd.before)
    norm = instrument.norms.competencies["closing_drive"]
    expected = (cd.after - cd.before) / (math.sqrt(2) * norm.sd * math.sqrt(1 - norm.reliability))
    assert cd.rci == pytest.approx(expected)
    assert cd.change == "improved"
    assert changes["lead_qualification"].change == "no reliable change"
    assert changes["lead_qualification"].difference == 0


def test_stage_change_uses_the_composite_z_and_its_reliability() -> None:
    from app.errors import UserError
    from app.scoring.change import stage_change

    instrument = load_instrument(MINI)
    rng = np.random.default_rng(4)
    keys = [c.key for c in instrument.competencies]
    low, _ = simulate_answers(instrument, dict.fromkeys(keys, -1.5), rng)
    high, _ = simulate_answers(instrument, dict.fromkeys(keys, 1.5), rng)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    before, after = score(instrument, low, scored_at=at), score(instrument, high, scored_at=at)
    changes = {c.key: c for c in stage_change(before, after, instrument.norms)}
    assert set(changes) == {s.key for s in after.stages}
    for stage in after.stages:
        c = changes[stage.key]
        r = instrument.norms.stages[stage.key].reliability
        z1, z2 = before.stage(stage.key).z, stage.z
        assert z1 is not None and z2 is not None
        assert c.rci == pytest.approx((z2 - z1) / (math.sqrt(2) * math.sqrt(1 - r)))
        assert c.change == classify(c.rci)
    assert sum(c.change == "improved" for c in changes.values()) >= 5
    # Normed with another table, stage z values do not compare.
    other = instrument.norms.model_copy(update={"id": "another-table"})
    with pytest.raises(UserError):
        stage_change(before, after, other)
