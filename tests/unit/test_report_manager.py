"""The Sales Manager Report PDF shows what the result JSON says, stage by stage."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from app.instrument.answers import NOT_APPLICABLE, offers_not_applicable
from app.reports import render
from app.reports.context import rep_report
from app.reports.views import Branding
from app.scoring.engine import score
from app.scoring.result import Result
from app.scoring.simulate import simulate_answers
from tests.unit.report_helpers import (
    BAND_LABELS,
    pdf_pages,
    pdf_size,
    real_instrument,
    simulated_result,
)

NAME = "Dana Whitfield"
ORG = "Acme Sales GmbH"


@pytest.fixture(scope="module")
def instrument() -> Any:
    return real_instrument()


@pytest.fixture(scope="module")
def result(instrument: Any) -> dict[str, Any]:
    # A spread profile, so that several bands occur; the test reads the bands from the JSON.
    keys = [c.key for c in instrument.competencies]
    latent = {key: (-2.2, -1.0, 0.0, 1.0, 2.2)[k % 5] for k, key in enumerate(keys)}
    return simulated_result(instrument, seed=11, latent=latent)


@pytest.fixture(scope="module")
def pages(instrument: Any, result: dict[str, Any]) -> list[str]:
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG, "#7a1f5c"),
    )
    return pdf_pages(render.pdf("manager", report))


def test_names_the_rep_every_stage_and_every_band(pages: list[str], result: dict[str, Any]) -> None:
    text = " ".join(pages)
    assert NAME in text and ORG in text
    for stage in result["stages"]:
        assert stage["name"] in text
    for label in BAND_LABELS:
        assert label in text
    # The running header names the rep and the organisation on every page.
    assert all(NAME in page and ORG in page for page in pages)


def test_page_count_stays_within_bounds(pages: list[str]) -> None:
    assert 6 <= len(pages) <= 16


def _stage_section(text: str, stages: list[dict[str, Any]], k: int) -> str:
    start = text.rindex(f"{k + 1}. {stages[k]['name']}")
    end = (
        text.rindex(f"{k + 2}. {stages[k + 1]['name']}")
        if k + 1 < len(stages)
        else text.index("Competency profile", start)
    )
    return text[start:end]


def test_each_stage_section_shows_the_band_the_result_gives(
    pages: list[str], result: dict[str, Any]
) -> None:
    text = " ".join(pages)
    stages = result["stages"]
    assert len({s["band"] for s in stages}) >= 2, "the profile should spread over bands"
    for k, stage in enumerate(stages):
        section = _stage_section(text, stages, k)
        fit = re.search(
            r"Fit: (\d+)\*? (Small risk|Medium impact|Small strength|Risk|Strength)", section
        )
        assert fit, f"no fit line in the section of {stage['name']}"
        assert int(fit.group(1)) == stage["sten"]
        assert fit.group(2) == stage["band_label"]


def test_every_competency_band_appears_in_the_profile(
    pages: list[str], result: dict[str, Any]
) -> None:
    text = " ".join(pages)
    profile = text[text.index("Competency profile") :]
    for c in result["competencies"]:
        assert re.search(rf"{re.escape(c['name'])} .*?{c['sten']}\*? {c['band_label']}", profile), (
            c["name"]
        )


def test_provisional_norms_are_labelled_on_every_page(
    pages: list[str], result: dict[str, Any]
) -> None:
    assert result["norm"]["provisional"], "the shipped norms are provisional"
    assert all("PROVISIONAL" in page for page in pages)


def test_first_pages_have_best_fit_chart_actions_then_strengths_and_development_areas(
    pages: list[str], result: dict[str, Any]
) -> None:
    # Page 1 is what a manager acts on (issue 9: the stage chart and the first three actions);
    # the summary of strengths and development areas follows on page 2.
    first, second = pages[0], pages[1]
    for key in ("Best-fit stage", "Sales process fit", "Manager actions"):
        assert key in first
    for key in ("Pre-sale vs post-sale fit", "Three strengths", "Three development areas"):
        assert key in second
    # A spread profile leads with no stage clearly: the page says so and names the top two.
    assert result["best_fit_stages"] == []
    assert "No clear best stage" in first
    ranked = sorted((s for s in result["stages"] if s["sten"] is not None), key=lambda s: s["rank"])
    assert ranked[0]["name"] in first and ranked[1]["name"] in first
    top = max((c for c in result["competencies"] if c["sten"] is not None), key=lambda c: c["z"])
    bottom = min((c for c in result["competencies"] if c["sten"] is not None), key=lambda c: c["z"])
    assert top["name"] in second and bottom["name"] in second


def test_a_clear_best_stage_is_named_with_its_outcome(instrument: Any) -> None:
    # Strong in the competencies of the first stage only, weak elsewhere: a clear lead.
    stage = instrument.stages[0]
    mine = {sc.competency for sc in stage.competencies}
    latent = {c.key: (2.5 if c.key in mine else -1.0) for c in instrument.competencies}
    result = simulated_result(instrument, seed=12, latent=latent)
    assert result["best_fit_stages"] == [stage.key]
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
    )
    first = pdf_pages(render.pdf("manager", report))[0]
    assert "No clear best stage" not in first
    assert stage.name["en"] in first and stage.outcome["en"][:40] in first


def test_not_enough_answers_is_shown_instead_of_a_score(instrument: Any) -> None:
    dropped = instrument.competencies[0]
    result = simulated_result(instrument, seed=3, drop=(dropped.key,))
    entry = next(c for c in result["competencies"] if c["key"] == dropped.key)
    assert entry["sten"] is None
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
    )
    text = " ".join(pdf_pages(render.pdf("manager", report)))
    profile = text[text.index("Competency profile") :]
    name = entry["name"]
    assert re.search(rf"{re.escape(name)} not enough answers", profile)
    assert not re.search(rf"{re.escape(name)} \d+\*? (Risk|Small|Medium|Strength)", profile)


def test_a_doubtful_result_carries_a_visible_banner(instrument: Any) -> None:
    result = simulated_result(instrument, seed=4, seconds_per_item=1.0)
    assert result["validity"]["status"] != "valid"
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
    )
    first = pdf_pages(render.pdf("manager", report))[0]
    assert ("CAUTION" in first) or ("NOT VALID" in first)


def test_letter_paper_is_letter_sized(instrument: Any, result: dict[str, Any]) -> None:
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
        paper="letter",
    )
    width, height = pdf_size(render.pdf("participant", report))
    assert (round(width), round(height)) == (612, 792)


def test_a_competency_answered_does_not_apply_shows_not_enough_answers(instrument: Any) -> None:
    offered = offers_not_applicable(instrument)
    if not offered:
        pytest.skip("the instrument offers no 'does not apply'")
    answers, seconds = simulate_answers(instrument, {}, np.random.default_rng(13))
    first = next(i for i in instrument.items if i.id in offered)
    key = first.competency  # type: ignore[union-attr]
    for item in instrument.items:
        if item.id in offered and getattr(item, "competency", None) == key:
            answers[item.id] = NOT_APPLICABLE
    result = score(instrument, answers, seconds=seconds).to_json()
    entry = next(c for c in result["competencies"] if c["key"] == key)
    assert entry["sten"] is None and entry["not_applicable"] >= 3
    report = rep_report(
        instrument=instrument,
        result=Result.from_json(result),
        rep_name=NAME,
        branding=Branding(ORG),
    )
    text = " ".join(pdf_pages(render.pdf("manager", report)))
    profile = text[text.index("Competency profile") :]
    assert re.search(rf"{re.escape(entry['name'])} not enough answers", profile)
