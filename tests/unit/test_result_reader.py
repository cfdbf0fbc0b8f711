"""Result.from_json, the one reader of stored results: every stored shape reads back, later
fields are ignored, damaged data is refused with the field named."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.instrument.loader import load_instrument
from app.scoring.result import Result
from app.scoring.result_reader import StoredResultError
from tests.unit.instrument_helpers import MINI
from tests.unit.report_helpers import STAGE_EXTRAS, old_shaped, simulated_result

INSTRUMENT = load_instrument(MINI)
# The result JSON example of the design document ("Result JSON"), one line wrapped.
DESIGN_EXAMPLE = """
{
  "assessment_id": "…",
  "instrument": {"key": "sales-process-inventory", "version": "1.0", "checksum": "sha256:…"},
  "norm": {"id": "…", "label": "…", "n": 0, "provisional": true},
  "engine_version": "…", "scored_at": "2026-01-01T00:00:00Z",
  "validity": {"status": "valid",
               "flags": [{"code": "too_fast", "level": "caution", "detail": "…"}]},
  "competencies": [{"key": "…", "name": "…", "raw": 3.8, "z": 0.4, "sten": 6,
                    "percentile": 66, "band": "medium_impact", "band_label": "Medium impact",
                    "ci90": [5, 7], "borderline": false, "answered": 6, "items": 6}],
  "stages": [{"key": "lead_evaluation", "name": "Lead Evaluation", "phase": "pre_sale",
              "sten": 7, "band": "small_strength", "rank": 2,
              "competencies": [{"key": "…", "weight": 0.4, "band": "strength"}]}],
  "best_fit_stages": ["needs_exploration"],
  "summary": {"score": 72, "max_score": 100, "best_stage": "needs_exploration"}
}
"""


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    # One competency without answers, so an insufficient score is among them.
    return simulated_result(INSTRUMENT, seed=5, drop=(INSTRUMENT.competencies[0].key,))


def test_what_the_engine_writes_reads_back_unchanged(stored: dict[str, Any]) -> None:
    assert Result.from_json(stored).to_json() == stored


def test_an_old_result_reads_with_what_its_missing_fields_meant(stored: dict[str, Any]) -> None:
    old = Result.from_json(old_shaped(stored))
    new = Result.from_json(stored)
    assert old.phase_fit == {}  # reports then take the mean of the stage stens
    assert [c.status for c in old.competencies] == [c.status for c in new.competencies]
    assert "insufficient" in [c.status for c in old.competencies]
    assert old.competencies == new.competencies
    for before, now in zip(old.stages, new.stages, strict=True):
        assert before.status == now.status
        assert (before.z, before.percentile, before.band_label, before.ci90) == (None,) * 4
        assert before.borderline is False
        assert (before.key, before.sten, before.band, before.rank) == (
            now.key,
            now.sten,
            now.band,
            now.rank,
        )
        assert before.competencies == now.competencies
    assert (old.validity, old.summary, old.norm, old.scored_at) == (
        new.validity,
        new.summary,
        new.norm,
        new.scored_at,
    )


def test_the_result_json_of_the_design_document_reads() -> None:
    result = Result.from_json(json.loads(DESIGN_EXAMPLE))
    assert result.phase_fit == {}
    assert result.competencies[0].status == "scored"
    assert result.competencies[0].ci90 == (5, 7)
    assert result.stages[0].status == "scored" and result.stages[0].ci90 is None
    assert result.best_fit_stages == ("needs_exploration",)
    assert result.validity.flags[0].code == "too_fast"


def _with_extra_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {**{k: _with_extra_keys(v) for k, v in data.items()}, "added_later": [1, {}]}
    if isinstance(data, list):
        return [_with_extra_keys(v) for v in data]
    return data


def test_keys_a_later_engine_adds_are_ignored(stored: dict[str, Any]) -> None:
    # Every object gets a key this code does not know, down to the stage competencies.
    # (phase_fit is a mapping of phases, not a record: an extra phase is kept as data.)
    data = _with_extra_keys(stored)
    data["phase_fit"] = stored["phase_fit"]
    assert Result.from_json(data) == Result.from_json(stored)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.pop("norm"), "result: no norm"),
        (lambda d: d.pop("best_fit_stages"), "result: no best_fit_stages"),
        (lambda d: d["competencies"][1].pop("sten"), r"competencies\[1\]: no sten"),
        (lambda d: d["competencies"][1].pop("ci90"), r"competencies\[1\]: no ci90"),
        (lambda d: d["stages"][2].pop("rank"), r"stages\[2\]: no rank"),
        (lambda d: d["stages"][0]["competencies"][0].pop("weight"), "no weight"),
        (lambda d: d["validity"].pop("flags"), "validity: no flags"),
        (lambda d: d["summary"].pop("best_stage"), "summary: no best_stage"),
        (lambda d: d["stages"][0].update(band="great"), r"stages\[0\]\.band: 'great'"),
        (lambda d: d["validity"].update(status="fine"), "validity.status: 'fine'"),
        (lambda d: d["stages"][0].update(phase="during_sale"), r"stages\[0\]\.phase"),
        (lambda d: d["competencies"][1].update(status="maybe"), r"competencies\[1\]\.status"),
        (lambda d: d.update(scored_at="yesterday"), "scored_at: 'yesterday'"),
        (lambda d: d.update(stages={}), "result.stages: expected a list"),
    ],
)
def test_damaged_data_is_refused_naming_the_field(
    stored: dict[str, Any], damage: Any, message: str
) -> None:
    data = copy.deepcopy(stored)
    damage(data)
    with pytest.raises(StoredResultError, match=message):
        Result.from_json(data)


@pytest.mark.parametrize("key", STAGE_EXTRAS)
def test_each_stage_field_beyond_the_design_may_be_missing_alone(
    stored: dict[str, Any], key: str
) -> None:
    data = copy.deepcopy(stored)
    del data["stages"][0][key]
    assert Result.from_json(data).stages[0].key == stored["stages"][0]["key"]
