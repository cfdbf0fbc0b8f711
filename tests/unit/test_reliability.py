"""Reliability functions against pingouin's published values and hand computations."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring.reliability import (
    ReliabilityError,
    alpha_ci,
    analyse_scale,
    composite_reliability,
    cronbach_alpha,
    item_total_correlations,
    sem,
)

REFERENCE = Path(__file__).parents[1] / "fixtures" / "reference"
CASES = json.loads((REFERENCE / "reliability_reference.json").read_text())["cases"]


def _matrix(case: dict[str, object]) -> np.ndarray:
    rows = case["matrix"]
    assert isinstance(rows, list)
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def test_published_pingouin_example_from_the_csv_itself() -> None:
    # Read the shipped long-format CSV directly (not via the JSON) and pivot it ourselves.
    scores: dict[int, dict[str, float]] = {}
    with (REFERENCE / "cronbach_alpha.csv").open() as fh:
        for row in csv.DictReader(fh):
            scores.setdefault(int(row["Subj"]), {})[row["Items"]] = float(row["Scores"])
    items = sorted(next(iter(scores.values())))
    x = np.array([[scores[s][i] for i in items] for s in sorted(scores)])
    alpha = cronbach_alpha(x)
    lo, hi = alpha_ci(alpha, *x.shape)
    # pingouin docs: (0.5917188485995826, array([0.195, 0.84 ]))
    assert alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(lo, 3), round(hi, 3)) == (0.195, 0.84)


def test_published_listwise_example() -> None:
    missing = next(c for c in CASES if "missing" in c["name"])
    # pingouin docs: nan_policy="listwise" → 0.8016949152542373
    assert cronbach_alpha(_matrix(missing)) == pytest.approx(0.8016949152542373, abs=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_reference_implementation(case: dict[str, object]) -> None:
    result = analyse_scale(_matrix(case))
    assert result.n == case["n_complete"]
    assert result.alpha == pytest.approx(case["alpha"], abs=1e-10)
    assert result.alpha_ci95 == pytest.approx(case["alpha_ci95"], abs=1e-10)
    rounded = [round(v, 3) for v in result.alpha_ci95]
    assert rounded == pytest.approx(case["alpha_ci95_pingouin_rounded"], abs=1e-9)
    assert [s.item_total_r for s in result.items] == pytest.approx(case["item_total_r"], abs=1e-10)


def test_hand_computed_alpha_sem_and_item_total() -> None:
    # Items a, b, c over 4 people. Item variances 5/3, 5/3, 2/3 → Σ 4;
    # totals 3, 6, 8, 11 → variance 34/3; alpha = 3/2·(1 − 4/(34/3)) = 3/2·22/34 = 33/34.
    x = np.array([[1, 1, 1], [2, 2, 2], [3, 3, 2], [4, 4, 3]], dtype=float)
    assert cronbach_alpha(x) == pytest.approx(33 / 34)
    result = analyse_scale(x)
    # The mean score is the total / 3, so its SD is √(34/3)/3.
    sd = math.sqrt(34 / 3) / 3
    assert result.sd == pytest.approx(sd)
    assert result.sem == pytest.approx(sd * math.sqrt(1 - 33 / 34))
    # Item c = 1, 2, 2, 3 against a + b = 2, 4, 6, 8: deviations (−1, 0, 0, 1) and
    # (−3, −1, 1, 3): r = 6 / √(2·20).
    assert item_total_correlations(x)[2] == pytest.approx(6 / math.sqrt(40))


def test_listwise_deletion_drops_rows_with_any_gap() -> None:
    x = np.array([[1, 1, 1], [2, 2, 2], [3, 3, 2], [4, 4, 3], [5, np.nan, 1]], dtype=float)
    assert cronbach_alpha(x) == pytest.approx(33 / 34)
    assert analyse_scale(x).n == 4


def test_sem_formula() -> None:
    assert sem(0.6, 0.84) == pytest.approx(0.6 * 0.4)
    assert sem(0.6, -0.2) == pytest.approx(0.6)


def test_constant_item_has_no_item_total_r() -> None:
    x = np.array([[1, 2, 3], [1, 3, 4], [1, 5, 4]], dtype=float)
    assert item_total_correlations(x)[0] is None


@pytest.mark.parametrize(
    "x",
    [np.array([[1.0, 2.0]]), np.array([[1.0], [2.0]]), np.array([[3.0, 3.0], [3.0, 3.0]])],
    ids=["one row", "one item", "no variance"],
)
def test_too_little_data_is_an_error_not_a_number(x: np.ndarray) -> None:
    with pytest.raises(ReliabilityError):
        cronbach_alpha(x)


def test_mosier_two_parallel_components() -> None:
    # Equal weights, reliabilities r, correlation c: 1 − 2·¼(1 − r)/(½(1 + c)).
    r, c = 0.8, 0.5
    expected = 1 - 0.5 * (1 - r) / (0.5 * (1 + c))
    assert composite_reliability([0.5, 0.5], [r, r], [[1, c], [c, 1]]) == pytest.approx(expected)
    # One component: the composite is that component.
    assert composite_reliability([1.0], [0.7], [[1.0]]) == pytest.approx(0.7)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(5, 40),
    k=st.integers(2, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_alpha_equals_covariance_formula(n: int, k: int, seed: int) -> None:
    # α = k·c̄/(v̄ + (k − 1)·c̄), the average-covariance form: an independent route.
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, k)).astype(float) + rng.normal(size=(n, 1)).round()
    cov = np.cov(x, rowvar=False)
    if cov.sum() <= 0:
        return
    v = np.diag(cov).mean()
    c = cov[~np.eye(k, dtype=bool)].mean()
    assert cronbach_alpha(x) == pytest.approx(k * c / (v + (k - 1) * c), rel=1e-9, abs=1e-9)
    lo, hi = alpha_ci(cronbach_alpha(x), n, k)
    assert lo < cronbach_alpha(x) < hi
