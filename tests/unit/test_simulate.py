"""The simulation model: shapes, determinism, and that it behaves as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.instrument.loader import load_instrument, parse_instrument
from app.instrument.presentation import presentation_order
from app.scoring.engine import score
from app.scoring.norm_compute import compute_norms, norms_yaml
from app.scoring.plan import plan_for
from app.scoring.simulate import latent_correlation, simulate_answers, simulate_matrix

MINI = Path("tests/fixtures/mini-instrument.yaml")
REAL = Path("questionnaires/sales-process-inventory-1.0.yaml")
REAL_1_1 = Path("questionnaires/sales-process-inventory-1.1.yaml")


@pytest.fixture(scope="module")
def mini():  # type: ignore[no-untyped-def]
    return load_instrument(MINI)


def test_matrix_in_presentation_order_and_deterministic(mini) -> None:  # type: ignore[no-untyped-def]
    a = simulate_matrix(mini, 50, seed=7)
    b = simulate_matrix(mini, 50, seed=7)
    assert list(a.item_ids) == presentation_order(mini)
    assert np.array_equal(a.codes, b.codes) and np.array_equal(a.seconds, b.seconds)
    assert not np.array_equal(a.codes, simulate_matrix(mini, 50, seed=8).codes)
    assert a.codes.shape == (50, len(mini.items)) and a.latent.shape == (50, len(mini.competencies))


def test_latent_correlations_follow_the_model(mini) -> None:  # type: ignore[no-untyped-def]
    r = latent_correlation(mini)
    assert np.allclose(np.diag(r), 1.0) and np.all(np.linalg.eigvalsh(r) > 0)
    sim = simulate_matrix(mini, 20_000, seed=1)
    assert np.allclose(np.corrcoef(sim.latent, rowvar=False), r, atol=0.03)


def test_answers_rise_with_the_latent_score(mini) -> None:  # type: ignore[no-untyped-def]
    sim = simulate_matrix(mini, 5000, seed=2)
    plan = plan_for(mini)
    keys = list(sim.competency_keys)
    for item in mini.items:
        if item.type != "likert":
            continue
        answers = sim.codes[:, list(sim.item_ids).index(item.id)]
        theta = sim.latent[:, keys.index(item.competency)]
        r = np.corrcoef(answers, theta)[0, 1]
        assert (r > 0.4) if item.keyed == "+" else (r < -0.4), item.id
    assert plan.points == 5


def test_impression_extreme_is_rare_and_seconds_plausible(mini) -> None:  # type: ignore[no-untyped-def]
    sim = simulate_matrix(mini, 5000, seed=3)
    for item in mini.items:
        k = list(sim.item_ids).index(item.id)
        if item.type == "impression":
            extreme = 5 if item.keyed == "+" else 1
            assert 0.03 < np.mean(sim.codes[:, k] == extreme) < 0.12
        median = float(np.median(sim.seconds[:, k]))
        assert (20 < median < 40) if item.type == "sjt" else (4 < median < 8)


def test_simulate_answers_are_scoreable_and_follow_the_profile(mini) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    strong = {"closing_drive": 2.5, "lead_qualification": -2.5}
    answers, seconds = simulate_answers(mini, strong, rng)
    assert set(answers) == {i.id for i in mini.items} == set(seconds)
    result = score(mini, answers, seconds=seconds)
    assert result.competency("closing_drive").sten > result.competency("lead_qualification").sten
    with pytest.raises(ValueError, match="not competencies"):
        simulate_answers(mini, {"golf": 1.0}, rng)


def test_norms_from_simulation_read_back_and_center_the_scores(mini, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sim = simulate_matrix(mini, 2000, seed=4)
    table = compute_norms(
        mini,
        sim.columns(plan_for(mini).item_ids),
        id="sim-test",
        label="t",
        source="s",
        date="2026-11-27",
        provisional=True,
    )
    text = MINI.read_text()
    start = text.index("\nnorms:") + 1
    instrument = parse_instrument(text[:start] + norms_yaml(table), "renormed.yaml")
    assert instrument.norms == table
    # Scored against norms from their own sample, the stage z-scores have mean 0 and SD 1.
    from app.scoring.batch import score_batch

    arrays = score_batch(instrument, sim.columns(plan_for(instrument).item_ids))
    assert np.allclose(np.nanmean(arrays.stage_z, axis=0), 0, atol=1e-3)
    assert np.allclose(np.nanstd(arrays.stage_z, axis=0, ddof=1), 1, atol=1e-3)
    for norm in table.competencies.values():
        assert 0.6 < norm.reliability < 0.9


@pytest.mark.parametrize(
    ("path", "norm_id"),
    [(REAL, "provisional-sim-2026-11"), (REAL_1_1, "provisional-sim-1.1-2026-12")],
    ids=["1.0", "1.1"],
)
def test_real_instruments_carry_the_simulated_provisional_norms(path: Path, norm_id: str) -> None:
    instrument = load_instrument(path)
    assert instrument.norms.provisional and instrument.norms.from_simulation
    assert instrument.norms.id == norm_id
    assert instrument.norms.n == 2000


def test_simulate_norms_script_rewrites_only_the_norms_block(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import runpy

    copy = tmp_path / "instrument.yaml"
    original = MINI.read_bytes()
    copy.write_bytes(original)
    script = runpy.run_path(str(Path(__file__).parents[2] / "scripts" / "simulate_norms.py"))
    assert script["main"]([str(copy)]) == 0
    updated = copy.read_bytes()
    prefix = original[: original.index(b"\nnorms:") + 1]
    assert updated.startswith(prefix)
    norms = load_instrument(copy).norms
    assert (norms.id, norms.n, norms.provisional) == ("provisional-sim-0.1-2026-12", 2000, True)
    assert norms.label == "Simulated norms — no real respondents yet (n=2000)"
    assert norms.simulated and norms.exclusions is not None
    assert norms.summary is not None and norms.phases is not None and norms.validity is not None
    # A rerun gives the same bytes: fixed seed, fixed date.
    assert script["main"]([str(copy)]) == 0
    assert copy.read_bytes() == updated


def test_simulate_norms_script_leaves_a_version_in_use_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    copy = tmp_path / "instrument.yaml"
    copy.write_bytes(REAL.read_bytes())
    script = Path(__file__).parents[2] / "scripts" / "simulate_norms.py"
    run = subprocess.run([sys.executable, str(script), str(copy)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "1.0 is in use" in run.stderr
    assert copy.read_bytes() == REAL.read_bytes()
