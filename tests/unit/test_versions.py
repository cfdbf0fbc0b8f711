"""Two instrument versions side by side: a result stored by engine 1.0.0 on instrument 1.0
still reads and renders, and 1.0 answers still score.

tests/fixtures/result-engine-1.0.0.json is a result JSON written by engine 1.0.0 (commit
9120e7b, `score()` on simulated answers to questionnaires/sales-process-inventory-1.0.yaml,
assessment id engine-1-example): it has none of the fields engine 2 added.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.instrument.loader import load_instrument
from app.instrument.model import Instrument
from app.reports import render
from app.reports.context import rep_report
from app.reports.views import Branding
from app.scoring.engine import ENGINE_VERSION, score
from app.scoring.result import Result
from app.scoring.simulate import simulate_answers
from tests.unit.report_helpers import pdf_pages

ROOT = Path(__file__).parents[2]
STORED = ROOT / "tests" / "fixtures" / "result-engine-1.0.0.json"


@pytest.fixture(scope="module")
def v10() -> Instrument:
    return load_instrument(ROOT / "questionnaires" / "sales-process-inventory-1.0.yaml")


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STORED.read_text(encoding="utf-8"))
    return data


def test_the_stored_result_is_of_the_old_engine(v10: Instrument, stored: dict[str, Any]) -> None:
    assert stored["engine_version"] == "1.0.0" != ENGINE_VERSION
    assert stored["instrument"]["checksum"] == v10.checksum  # 1.0 has not changed a byte
    assert "indices" not in stored["validity"] and "simulated" not in stored["norm"]


def test_an_engine_1_result_reads_back_with_defaults_for_new_fields(
    stored: dict[str, Any],
) -> None:
    result = Result.from_json(stored)
    assert result.engine_version == "1.0.0"
    assert result.validity.indices == {}
    assert result.norm.simulated is False
    assert all(c.not_applicable == 0 for c in result.competencies)
    # Engine 1 named a best stage whenever one ranked first; its summary is kept as stored.
    assert result.summary.best_stage == stored["summary"]["best_stage"]
    assert result.summary.top_stage == stored["summary"]["best_stage"]
    assert result.summary.score == stored["summary"]["score"]
    again = result.to_json()
    assert again["competencies"][0]["raw"] == stored["competencies"][0]["raw"]
    assert again["best_fit_stages"] == stored["best_fit_stages"]


@pytest.mark.parametrize("kind", ["manager", "participant"])
def test_an_engine_1_result_still_renders(
    v10: Instrument, stored: dict[str, Any], kind: str
) -> None:
    report = rep_report(
        instrument=v10,
        result=Result.from_json(stored),
        rep_name="Old Result",
        branding=Branding("Acme"),
        kind=kind,
    )
    text = " ".join(pdf_pages(render.pdf(kind, report)))
    assert "Old Result" in text
    best = next(s for s in stored["stages"] if s["key"] == stored["best_fit_stages"][0])
    assert best["name"] in text
    # Its norms were simulated: the method notes say so, not "measured" reliabilities.
    assert "simulated norms — no real respondents yet" in text
    assert "not yet measured on real answers" in text


def test_answers_to_1_0_still_score_with_the_checks_1_0_has(v10: Instrument) -> None:
    answers, seconds = simulate_answers(v10, {}, np.random.default_rng(5))
    result = score(v10, answers, seconds=seconds)
    assert (result.instrument.version, result.engine_version) == ("1.0", ENGINE_VERSION)
    assert all(c.sten is not None for c in result.competencies)
    # 1.0 has no norm-data indices and no summary or phase norms: no index it cannot back,
    # no summary score rather than the inflated one, the phase fit as engine 1 gave it.
    assert not {"mahalanobis", "person_total", "synonyms", "even_odd"} & set(
        result.validity.indices
    )
    assert result.summary.score is None
    assert all(result.phase_fit[p] is not None for p in ("pre_sale", "post_sale"))
    assert result.norm.simulated is True
