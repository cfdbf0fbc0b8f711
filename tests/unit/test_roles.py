"""Roles and stages of work: the one mapping, reading stored values and form choices, and the
report's fit against them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from app.instrument.loader import load_instrument
from app.instrument.process import STAGE_KEYS
from app.reports.context import rep_report
from app.reports.views import Branding
from app.scoring.engine import score
from app.scoring.roles import ROLE_KEYS, ROLES, Target, parse_target, read_target
from app.scoring.simulate import simulate_answers

MINI = "tests/fixtures/mini-instrument.yaml"


def test_every_role_works_in_known_stages_in_process_order() -> None:
    assert (
        set(ROLES)
        == set(ROLE_KEYS)
        == {
            "prospecting",
            "new_business",
            "account_management",
            "customer_success",
        }
    )
    for role in ROLES.values():
        assert role.stages and set(role.stages) <= set(STAGE_KEYS)
        assert list(role.stages) == sorted(role.stages, key=STAGE_KEYS.index)


def test_stored_and_chosen_targets() -> None:
    assert read_target("new_business", None) == Target("new_business", None)
    assert read_target(None, "expansion") == Target(None, "expansion")
    assert read_target("retired_role", None) is None  # read as none, never a failure
    assert read_target(None, None) is None
    assert parse_target("") is None
    assert parse_target("role:prospecting").stages == ("lead_evaluation", "initial_contact")
    assert parse_target("stage:closing_negotiation").stages == ("closing_negotiation",)
    for bad in ("role:astronaut", "stage:role", "prospecting", "role:", "stage:\x00"):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_the_report_shows_fit_for_the_named_role_next_to_the_best_fit() -> None:
    instrument = load_instrument(MINI)
    answers, _ = simulate_answers(instrument, {}, np.random.default_rng(8))
    result = score(instrument, answers, scored_at=datetime(2026, 1, 1, tzinfo=UTC))
    report = rep_report(
        instrument=instrument,
        result=result,
        rep_name="A B",
        branding=Branding("O"),
        target=Target("account_management", None),
    )
    fit = report.target_fit
    assert fit is not None and fit.label == "Role: Account management"
    assert [s.key for s in fit.stages] == ["account_management", "expansion"]
    stens = [s.score.sten for s in fit.stages if s.score.sufficient]
    assert fit.mean_sten == pytest.approx(round(sum(stens) / len(stens), 1))
    best = set(result.best_fit_stages)
    if best & {"account_management", "expansion"}:
        assert fit.verdict.startswith("A good match")
    elif best:
        assert "lies elsewhere" in fit.verdict
    else:
        assert fit.verdict.startswith("No stage leads clearly")
    plain = rep_report(instrument=instrument, result=result, rep_name="A B", branding=Branding("O"))
    assert plain.target_fit is None and plain.change is None
