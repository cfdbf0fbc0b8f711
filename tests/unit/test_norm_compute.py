"""Norm tables from answers: summary, phase and validity norms, percentiles once n allows,
and which answer sets are left out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.instrument.loader import load_instrument, parse_instrument
from app.instrument.model import Instrument
from app.scoring.norm_compute import compute_norms, norms_yaml, screen
from app.scoring.plan import FloatArray, plan_for
from app.scoring.response_styles import random_responders
from app.scoring.simulate import simulate_matrix

REAL = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.1.yaml"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(REAL)


@pytest.fixture(scope="module")
def attentive(instrument: Instrument) -> FloatArray:
    return simulate_matrix(instrument, 400, seed=31).columns(plan_for(instrument).item_ids)


def _table(instrument: Instrument, codes: FloatArray, **kw: object):  # type: ignore[no-untyped-def]
    return compute_norms(
        instrument,
        codes,
        id="test",
        label="Test",
        source="simulated for a test",
        date="2026-12-01",
        provisional=True,
        **kw,  # type: ignore[arg-type]
    )


def test_a_table_norms_the_summary_the_phases_and_the_validity_indices(
    instrument: Instrument, attentive: FloatArray
) -> None:
    table = _table(instrument, attentive)
    assert table.summary is not None and table.phases is not None
    # The highest of seven stage z scores sits well above the mean of any one of them.
    assert table.summary.mean > 0.5
    assert all(abs(p.mean) < 0.05 for p in table.phases.values())
    # 400 reaches the instrument's norms_min_n of 300: percentiles from the group itself.
    assert table.summary.percentiles is not None
    assert table.competencies["negotiation"].percentiles is not None
    v = table.validity
    assert v is not None and len(v.items) == len(plan_for(instrument).likert_columns)
    paired = [item for pair in v.synonyms for item in pair]
    assert len(paired) == len(set(paired))  # each item in one synonym pair at most
    assert v.impression is not None and v.impression.mean > 0


def test_synonyms_agree_and_antonyms_oppose_in_the_answers_they_came_from(
    instrument: Instrument, attentive: FloatArray
) -> None:
    table = _table(instrument, attentive)
    assert table.validity is not None
    column = plan_for(instrument).column
    for pairs, sign in ((table.validity.synonyms, 1), (table.validity.antonyms, -1)):
        for a, b in pairs:
            r = np.corrcoef(attentive[:, column[a]], attentive[:, column[b]])[0, 1]
            assert sign * r >= table.validity.pair_min_r


def test_below_the_minimum_n_the_normal_curve_gives_percentiles(
    instrument: Instrument, attentive: FloatArray
) -> None:
    table = _table(instrument, attentive[:200])
    assert table.summary is not None and table.summary.percentiles is None
    assert all(n.percentiles is None for n in table.competencies.values())


def test_the_table_is_written_as_an_instrument_norms_block_that_reads_back(
    instrument: Instrument, attentive: FloatArray
) -> None:
    table = _table(instrument, attentive, simulated=True, population="Simulated reps")
    text = REAL.read_text(encoding="utf-8")
    rewritten = text[: text.index("\nnorms:\n") + 1] + norms_yaml(table)
    again = parse_instrument(rewritten, "copy.yaml").norms
    assert again == table


def test_screening_leaves_out_invalid_and_caution_answer_sets(
    instrument: Instrument, attentive: FloatArray
) -> None:
    random = random_responders(instrument, 40, seed=32).columns(plan_for(instrument).item_ids)
    codes = np.vstack([attentive[:100], random])
    keep, excluded = screen(instrument, codes)
    assert not keep[100:].any()  # every random answer set is left out
    assert excluded.considered == 140
    assert excluded.invalid >= 40 and keep.sum() == 140 - excluded.invalid - excluded.caution
    assert "judged without answer times" in excluded.rule
    lenient, noted = screen(instrument, codes, keep_caution=True)
    assert lenient.sum() >= keep.sum() and noted.caution == 0
