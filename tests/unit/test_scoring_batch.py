"""The vectorised batch scorer gives exactly what scoring one answer set at a time gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.instrument.loader import load_instrument
from app.instrument.model import SjtItem
from app.scoring.answers import encode_answers
from app.scoring.bands import BANDS
from app.scoring.batch import CHUNK_ROWS, ScoreArrays, score_batch
from app.scoring.engine import AnswerError, score
from app.scoring.plan import plan_for
from app.scoring.result import Result
from tests.unit.instrument_helpers import MINI

INSTRUMENT = load_instrument(MINI)
PLAN = plan_for(INSTRUMENT)


def decode(row: np.ndarray) -> dict[str, object]:
    """Answer codes back to an answer set, as a participant would have given it."""
    answers: dict[str, object] = {}
    for item, code in zip(INSTRUMENT.items, row.tolist(), strict=True):
        if math.isnan(code):
            continue
        answers[item.id] = item.options[int(code)].key if isinstance(item, SjtItem) else int(code)
    return answers


def random_codes(n: int, seed: int, missing: float = 0.1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    upper = np.asarray([len(i.options) if isinstance(i, SjtItem) else 5 for i in INSTRUMENT.items])
    lower = np.asarray([0 if isinstance(i, SjtItem) else 1 for i in INSTRUMENT.items])
    codes = rng.integers(lower, lower + upper, size=(n, len(upper))).astype(float)
    codes[rng.random(codes.shape) < missing] = np.nan
    return codes


def same(a: float | None, b: float) -> bool:
    return (a is None and math.isnan(b)) or (a is not None and a == pytest.approx(b, abs=1e-9))


def assert_row_matches(result: Result, arrays: ScoreArrays, r: int) -> None:
    for k, c in enumerate(result.competencies):
        assert same(c.raw, arrays.competency_raw[r, k])
        assert same(c.z, arrays.competency_z[r, k])
        assert same(c.sten, arrays.competency_sten[r, k])
        assert c.answered == arrays.competency_answered[r, k]
        band = arrays.competency_band[r, k]
        assert c.band == (BANDS[band] if band >= 0 else None)
    for j, s in enumerate(result.stages):
        assert same(s.z, arrays.stage_z[r, j])
        assert same(s.sten, arrays.stage_sten[r, j])
        assert same(s.percentile, arrays.stage_percentile[r, j])
        assert s.rank == arrays.stage_rank[r, j]
        assert s.borderline == arrays.stage_borderline[r, j]
    assert same(result.phase_fit["pre_sale"], arrays.phase_sten[r, 0])
    assert same(result.phase_fit["post_sale"], arrays.phase_sten[r, 1])


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.3, 0.7]))
def test_batch_equals_single(n: int, seed: int, missing: float) -> None:
    codes = random_codes(n, seed, missing)
    arrays = score_batch(INSTRUMENT, codes)
    for r in range(n):
        answers = decode(codes[r])
        np.testing.assert_array_equal(encode_answers(PLAN, answers), codes[r])
        assert_row_matches(score(INSTRUMENT, answers), arrays, r)


def test_batch_larger_than_one_chunk_equals_single() -> None:
    n = CHUNK_ROWS + 1000
    codes = random_codes(n, seed=7)
    arrays = score_batch(INSTRUMENT, codes)
    assert arrays.stage_z.shape == (n, 7)
    assert arrays.competency_sten.shape == (n, len(INSTRUMENT.competencies))
    for r in [0, 1, CHUNK_ROWS - 1, CHUNK_ROWS, n - 1]:
        assert_row_matches(score(INSTRUMENT, decode(codes[r])), arrays, r)


def test_empty_batch() -> None:
    arrays = score_batch(INSTRUMENT, np.empty((0, len(PLAN.item_ids))))
    assert arrays.stage_z.shape == (0, 7)


@pytest.mark.parametrize(
    ("item_id", "code", "message"),
    [
        ("LQ2", 6.0, "item LQ2: code 6.0 in row 3 is out of range"),
        ("LQ2", 2.5, "item LQ2: code 2.5 in row 3 is out of range"),
        ("SJT1", 4.0, "item SJT1: code 4.0 in row 3 is out of range"),
        ("IM1", 0.0, "item IM1: code 0.0 in row 3 is out of range"),
    ],
)
def test_batch_refuses_impossible_codes(item_id: str, code: float, message: str) -> None:
    codes = random_codes(5, seed=1)
    codes[3, PLAN.column[item_id]] = code
    with pytest.raises(AnswerError, match=message):
        score_batch(INSTRUMENT, codes)


def test_batch_refuses_a_matrix_of_the_wrong_width() -> None:
    with pytest.raises(AnswerError, match=f"n × {len(PLAN.item_ids)} items"):
        score_batch(INSTRUMENT, np.ones((2, 3)))
