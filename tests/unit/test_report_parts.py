"""Report parts without a PDF: charts, pitfalls, manager actions, the cache."""

from __future__ import annotations

from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from app.reports import cache, charts
from app.reports.context import rep_report
from app.reports.views import NOT_ENOUGH, Branding, ScoreView, bands
from app.scoring.result import Result
from tests.unit.report_helpers import old_shaped, real_instrument, simulated_result


@pytest.fixture(scope="module")
def instrument() -> Any:
    return real_instrument()


def test_chart_prints_band_labels_and_not_enough_answers(instrument: Any) -> None:
    views = bands(instrument, "en")
    rows = [
        ("Scored", "Pre-sale", ScoreView(7, views["small_strength"], (5.0, 9.0), True, 84)),
        ("Empty", "Post-sale", ScoreView(None, None, None, False, None)),
    ]
    chart = charts.scale_chart(
        rows, instrument.scoring.band_cuts, list(views.values()), provisional=True
    )
    assert "<svg" in chart and "<script" not in chart
    # Each name is followed on its line by its value: sten, borderline mark, band label.
    assert "Scored\t</b>7* Small strength" in chart
    assert f"Empty\t</b>{NOT_ENOUGH}" in chart and "PROVISIONAL" in chart
    for band in views.values():
        assert band.label in chart  # the band zones are named
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    assert "<text" not in svg  # text is HTML: SVG text is slow in WeasyPrint
    assert svg.count(views["small_strength"].colour) == 1  # one bar, none for "Empty"


def test_chart_escapes_names() -> None:
    instrument = real_instrument()
    views = bands(instrument, "en")
    chart = charts.scale_chart(
        [("R&D <team>", "", ScoreView(5, views["medium_impact"], None, False, 50))],
        instrument.scoring.band_cuts,
        list(views.values()),
    )
    assert "R&amp;D &lt;team&gt;" in chart


def _report(instrument: Any, latent: dict[str, float]) -> Any:
    result = Result.from_json(simulated_result(instrument, seed=21, latent=latent))
    return rep_report(instrument=instrument, result=result, rep_name="A B", branding=Branding("O"))


def _pitfall_bands(instrument: Any, report: Any, stage: Any) -> list[list[int]]:
    """Per pitfall of the stage: the band index of each competency it is tied to."""
    index = {c.key: c.score.band_index for c in report.competencies}
    source = next(s for s in instrument.stages if s.key == stage.key)
    return [[index[k] for k in p.competencies] for p in source.pitfalls]


def test_pitfalls_follow_the_competencies_they_are_tied_to(instrument: Any) -> None:
    for latent in (-3.0, 0.0, 3.0):
        report = _report(instrument, {c.key: latent for c in instrument.competencies})
        for stage, source in zip(report.stages, instrument.stages, strict=True):
            tied = _pitfall_bands(instrument, report, stage)
            texts = [p.text["en"] for p in source.pitfalls]
            expected = [t for t, b in zip(texts, tied, strict=True) if any(0 <= i <= 1 for i in b)]
            if expected:
                assert [p.text for p in stage.pitfalls] == expected, stage.name
                assert not any(p.watch for p in stage.pitfalls)
            else:
                # Nothing low: one watch-point, the pitfall whose competencies score lowest.
                assert len(stage.pitfalls) == 1 and stage.pitfalls[0].watch, stage.name
                lowest = min(min(b) for b in tied)
                assert lowest in tied[texts.index(stage.pitfalls[0].text)]


def test_a_pitfall_names_the_low_competency_behind_it(instrument: Any) -> None:
    stage = instrument.stages[3]  # Closing/Negotiation: one pitfall per cause, some shared
    asking = next(p for p in stage.pitfalls if p.competencies == ["closing_drive"])
    latent = {c.key: 2.5 for c in instrument.competencies}
    latent["closing_drive"] = -3.0
    report = _report(instrument, latent)
    view = next(s for s in report.stages if s.key == stage.key)
    assert [p.text for p in view.pitfalls] == [asking.text["en"]]
    assert "Asking for commitment" in view.pitfalls[0].because
    assert "Risk" in view.pitfalls[0].because


def test_manager_actions_take_the_weakest_competencies_of_the_best_fit_stages(
    instrument: Any,
) -> None:
    report = _report(instrument, {})
    assert len(report.actions) == 3
    best = {sc.competency.key for s in report.best_fit for sc in s.competencies}
    work_on = [
        sc.competency
        for s in report.best_fit
        for sc in s.competencies
        if 0 <= sc.competency.score.band_index <= 2
    ]
    first = report.actions[0].competency
    if work_on:
        assert first.key in best
        assert first.score.band_index == min(c.score.band_index for c in work_on)
    # Each action coaches the stage its line names (issue 9 §7).
    coaching = {s.name: s.coaching for s in report.stages}
    for action in report.actions:
        assert action.stage in action.why
        assert action.action in coaching[action.stage]


def test_phase_fit_is_the_engines_or_the_stages_mean_in_the_band_of_its_sten(
    instrument: Any,
) -> None:
    keys = [c.key for c in instrument.competencies]
    latent = {key: (-2.2, -1.0, 0.0, 1.0, 2.2)[k % 5] for k, key in enumerate(keys)}
    data = simulated_result(instrument, seed=11, latent=latent)
    cuts = instrument.scoring.band_cuts
    for stored in (data, old_shaped(data)):  # the old shape has no phase_fit
        report = rep_report(
            instrument=instrument,
            result=Result.from_json(stored),
            rep_name="A B",
            branding=Branding("O"),
        )
        for phase in report.phases:
            stens = [s["sten"] for s in data["stages"] if s["phase"] == phase.key and s["sten"]]
            expected = data["phase_fit"][phase.key] if "phase_fit" in stored else None
            if expected is None:
                expected = round(mean(stens), 1)
            assert phase.mean_sten == expected, phase.key
            # The instrument's rule: a sten at or below cut k is in band k.
            rounded = round(expected)
            band = next((k for k, cut in enumerate(cuts) if rounded <= cut), len(cuts))
            assert phase.band is not None and phase.band.index == band, phase.key


def test_cache_hit_is_identical_and_any_key_change_renders_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGEFIT_VAR_DIR", str(tmp_path))
    renders: list[str] = []

    def render(tag: str) -> Any:
        def _render() -> bytes:
            renders.append(tag)
            return f"%PDF {tag} {len(renders)}".encode()

        return _render

    key = cache.CacheKey("result-1", "manager", "en", "a4", "#1f4e79", "none", "Dana\x1fAcme")
    first, hit1 = cache.get_or_render(key, render("a"))
    again, hit2 = cache.get_or_render(key, render("a"))
    assert (hit1, hit2) == (False, True) and first == again and renders == ["a"]
    for change in (
        {"brand_colour": "#7a1f5c"},
        {"logo_hash": "other"},
        {"locale": "de"},
        {"paper": "letter"},
        {"subject": "result-2"},
    ):
        other = cache.CacheKey(**{**key.__dict__, **change})
        _, hit = cache.get_or_render(other, render(str(change)))
        assert not hit, change
    assert cache.path_for(key).parent == tmp_path / "cache" / "reports"


def test_template_version_changes_when_a_template_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    copy = tmp_path / "templates"
    shutil.copytree(cache.TEMPLATES_DIR, copy)
    monkeypatch.setattr(cache, "TEMPLATES_DIR", copy)
    before = cache.template_version()
    assert cache.template_version() == before
    (copy / "report.css").write_text((copy / "report.css").read_text() + "\n/* changed */\n")
    assert cache.template_version() != before
