"""The answers an item accepts (the participant pages offer these), and the norm rows of
percentiles that empirical norms carry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from app.instrument.answers import NOT_APPLICABLE, allowed_answers, answer_options
from app.instrument.loader import load_instrument
from app.instrument.model import DistributionNorm, Instrument
from app.scoring.norming import join_curves, percentile
from app.scoring.validity_reference import percentile_curve
from tests.unit.instrument_helpers import MINI

REAL = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.1.yaml"
SCALE = frozenset({"1", "2", "3", "4", "5"})


@pytest.fixture(scope="module")
def v11() -> Instrument:
    return load_instrument(REAL)


def test_each_kind_of_item_accepts_its_answers(v11: Instrument) -> None:
    options = answer_options(v11)
    assert set(options) == {item.id for item in v11.items}
    assert options["PRR01"] == SCALE | {NOT_APPLICABLE}  # presumes work on new leads
    assert options["DQ01"] == SCALE  # every rep explores needs
    assert options["IM02"] == SCALE
    assert options["SJT01"] == frozenset("abcd")
    assert allowed_answers(v11, "PRR01") == options["PRR01"]
    with pytest.raises(KeyError):
        allowed_answers(v11, "NOPE")


def test_an_instrument_without_does_not_apply_never_offers_it() -> None:
    assert all(
        NOT_APPLICABLE not in values for values in answer_options(load_instrument(MINI)).values()
    )


def test_a_percentile_row_has_99_non_decreasing_numbers() -> None:
    good = " ".join(str(k / 10) for k in range(1, 100))
    assert DistributionNorm.model_validate({"mean": 5, "sd": 2, "percentiles": good}).percentiles
    with pytest.raises(ValidationError, match="98 numbers, expected 99"):
        DistributionNorm.model_validate({"mean": 5, "sd": 2, "percentiles": good.rsplit(" ", 1)[0]})
    with pytest.raises(ValidationError, match="must not decrease"):
        DistributionNorm.model_validate(
            {"mean": 5, "sd": 2, "percentiles": "2 1 " + " ".join(["3"] * 97)}
        )
    with pytest.raises(ValidationError, match="numbers separated by spaces"):
        DistributionNorm.model_validate({"mean": 5, "sd": 2, "percentiles": "1 two"})


def test_empirical_percentiles_interpolate_and_give_ties_their_mid_rank() -> None:
    # Raw values 1..99 at the 1st..99th percentile, except 40 shared by the 30th..50th.
    row = [float(k) for k in range(1, 100)]
    row[29:50] = [40.0] * 21
    norm = DistributionNorm(mean=50.0, sd=10.0, percentiles=tuple(row))
    curves = join_curves([None, percentile_curve(norm)])
    z = (np.asarray([[0.0, 15.5], [0.0, 40.0], [0.0, 0.0], [0.0, np.nan]]) - 50.0) / 10.0
    p = percentile(z, curves)
    assert p[:, 1][:3].tolist() == [16.0, 40.0, 1.0]  # 15.5 → 15.5 → 16; tie → mean of 30..50
    assert np.isnan(p[3, 1])
    assert p[0, 0] == 1.0  # the column without a curve: the normal curve, Φ(−5) → 1
