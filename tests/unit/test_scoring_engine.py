"""Scoring one answer set: every step checked against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import UserError
from app.instrument.loader import load_instrument
from app.scoring.engine import ENGINE_VERSION, AnswerError, score
from app.scoring.result import Result
from tests.unit.instrument_helpers import MINI

INSTRUMENT = load_instrument(MINI)
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

# Mini fixture norms: lead_qualification mean 3.30 sd .55 r .75; closing_drive 3.45/.55/.75;
# every stage mean 0, sd .8, r .8; the highest stage z (summary) mean .9, sd .8; each phase's
# mean stage z mean 0, sd .8. Stage lead_evaluation = 1.0·lead_qualification;
# closing_negotiation = .7·closing_drive + .3·discovery_questioning. Best fit needs a lead of
# 1.645 standard errors of the difference: 1.645·√(.2 + .2) = 1.0404 in stage z.


def test_competency_stage_and_summary_by_hand() -> None:
    answers = {"LQ1": 5, "LQ2": 4, "LQ3": 3, "LQ4": 2, "SJT1": "c"}
    result = score(INSTRUMENT, answers, scored_at=WHEN)
    lq = result.competency("lead_qualification")
    # Item scores: 5, 4, 3, LQ4 reverse keyed 6 − 2 = 4, SJT option c scores 2 → 1 + 4·2/3 = 3.667
    # raw = (5 + 4 + 3 + 4 + 3.667) / 5 = 59/15 = 3.9333
    assert lq.raw == pytest.approx(59 / 15)
    assert (lq.answered, lq.items, lq.status) == (5, 5, "scored")
    # z = (3.9333 − 3.30) / .55 = 1.1515 ; sten 5.5 + 2·1.1515 = 7.803 → 8 ; Φ(1.1515) = .8752 → 88
    assert lq.z == pytest.approx(1.151515, abs=1e-6)
    assert (lq.sten, lq.percentile, lq.band, lq.band_label) == (
        8,
        88,
        "small_strength",
        "Small strength",
    )
    # SEM √(1 − .75) = .5, ± 1.6449·.5 = .8224 → z .3291..1.9740 → stens 6.158 → 6, 9.448 → 9
    assert lq.ci90 == (6, 9)
    # 7.803 is .697 from the boundary 8.5; one SEM is 2·.5 = 1 sten, so the chance of a true
    # score across it is Φ(−.697) = .24 < 1/3 → not borderline
    assert lq.borderline is False

    lead = result.stage("lead_evaluation")
    # composite 1.0·1.1515 ; stage z = 1.1515 / .8 = 1.4394 ; sten 8.379 → 8 ;
    # Φ(1.4394) = .9250 → 92
    assert lead.z == pytest.approx(1.439394, abs=1e-6)
    assert (lead.sten, lead.percentile, lead.band, lead.status) == (
        8,
        92,
        "small_strength",
        "scored",
    )
    # SEM √.2 = .4472, ± .7356 → stens 6.908 → 7 and 9.850 → 10; .121 from 8.5 < .894 → borderline
    assert (lead.ci90, lead.borderline) == ((7, 10), True)
    assert [(c.key, c.weight, c.band) for c in lead.competencies] == [
        ("lead_qualification", 1.0, "small_strength")
    ]
    # Initial contact = .7 opening_conversations (unanswered) + .3 lead_qualification:
    # .3 of the weight is < 2/3 → insufficient, never an invented score.
    contact = result.stage("initial_contact")
    assert (contact.status, contact.z, contact.sten, contact.band, contact.ci90) == (
        "insufficient",
        None,
        None,
        None,
        None,
    )
    assert (lead.rank, contact.rank) == (1, 2)
    # One stage scored leads nothing: no clear best stage, though it is the top one.
    assert result.best_fit_stages == ()
    assert (result.summary.best_stage, result.summary.top_stage) == (None, "lead_evaluation")
    # Summary: the highest stage z 1.4394 against the norm group's highest stage z (.9, .8):
    # z .6742 → Φ = .7499 → 75, where engine 1 reported the stage's own 92.
    assert result.summary.score == 75
    # Pre-sale phase: mean stage z 1.4394 normed on (0, .8) → z 1.7992 → sten 9.098 → 9.
    assert result.phase_fit == {"pre_sale": 9, "post_sale": None}


def test_missing_weight_is_spread_over_the_scored_competencies() -> None:
    answers = {"CD1": 4, "CD2": 4, "CD3": 5, "CD4": 1, "SJT4": "a"}
    result = score(INSTRUMENT, answers, scored_at=WHEN)
    cd = result.competency("closing_drive")
    # 4, 4, 5, 6 − 1 = 5, option a scores 3 → 1 + 4·3/3 = 5 ; raw 23/5 = 4.6
    # z = (4.6 − 3.45) / .55 = 2.0909 ; sten 9.68 → 10 ; Φ(2.0909) = .9817 → 98
    assert (cd.raw, cd.sten, cd.percentile, cd.band) == (pytest.approx(4.6), 10, 98, "strength")
    closing = result.stage("closing_negotiation")
    # discovery_questioning unanswered: .7 of the weight remains (≥ 2/3), renormalised:
    # .7·2.0909 / .7 = 2.0909 ; stage z = 2.0909/.8 = 2.6136 ; sten 10.73 → 10 ;
    # Φ(2.6136) = .99552 → 100 → clamped to 99
    assert closing.z == pytest.approx(2.613636, abs=1e-6)
    assert (closing.sten, closing.percentile, closing.rank) == (10, 99, 1)
    # Everything else is insufficient and ranks after it, in stage order.
    assert [s.rank for s in result.stages] == [2, 3, 4, 1, 5, 6, 7]
    # (2.6136 − .9) / .8 = 2.1420 → Φ = .9839 → 98
    assert result.summary.score == 98
    assert result.summary.top_stage == "closing_negotiation"


def test_min_answered_rule() -> None:
    # min_answered is 3: two answers are too few, three are enough.
    two = score(INSTRUMENT, {"OC1": 4, "OC2": 4}).competency("opening_conversations")
    assert (two.status, two.raw, two.sten, two.band, two.answered) == (
        "insufficient",
        None,
        None,
        None,
        2,
    )
    three = score(INSTRUMENT, {"OC1": 4, "OC2": 4, "OC3": 4}).competency("opening_conversations")
    assert (three.status, three.raw) == ("scored", 4.0)


def test_impression_items_do_not_count_toward_competencies() -> None:
    base = {"LQ1": 3, "LQ2": 3, "LQ3": 3}
    with_im = score(INSTRUMENT, {**base, "IM1": 5, "IM2": 5}).competency("lead_qualification")
    assert with_im.raw == score(INSTRUMENT, base).competency("lead_qualification").raw == 3.0


def test_nothing_answered_gives_no_fit() -> None:
    result = score(INSTRUMENT, {})
    assert all(c.status == "insufficient" for c in result.competencies)
    assert result.best_fit_stages == ()
    assert (result.summary.score, result.summary.best_stage) == (None, None)
    assert [s.rank for s in result.stages] == [1, 2, 3, 4, 5, 6, 7]


def at_one_pole(*, keyed: bool) -> dict[str, object]:
    """Every Likert item at its keyed pole (or the other one), every SJT at its best option a
    (or its worst, d); impression items unanswered."""
    answers: dict[str, object] = {}
    for item in INSTRUMENT.items:
        if item.type == "likert":
            answers[item.id] = 5 if (item.keyed == "+") == keyed else 1
        elif item.type == "sjt":
            answers[item.id] = "a" if keyed else "d"
    return answers


LEAD = {"LQ1": 5, "LQ2": 4, "LQ3": 3, "LQ4": 2, "SJT1": "c"}  # lead_evaluation z 1.4394


def test_a_stage_is_best_fit_only_with_a_clear_lead() -> None:
    # Closing: CD 3, 3, 3, 6 − 3 = 3 and SJT4 b (1 + 4/3): raw 14.333/5 = 2.8667,
    # z (2.8667 − 3.45)/.55 = −1.0606, stage z −1.3258 (discovery unanswered, weight spread).
    # Lead 1.4394 + 1.3258 = 2.77 > 1.0404: a clear best stage.
    low = score(INSTRUMENT, {**LEAD, "CD1": 3, "CD2": 3, "CD3": 3, "CD4": 3, "SJT4": "b"})
    assert low.stage("closing_negotiation").z == pytest.approx(-1.325758, abs=1e-6)
    assert low.best_fit_stages == ("lead_evaluation",)
    assert (low.summary.best_stage, low.summary.top_stage) == ("lead_evaluation",) * 2
    # Closing: CD 4, 4, 3, 6 − 2 = 4 and SJT4 c: raw 3.7333, z .5152, stage z .6439. The lead
    # .7955 is more than one SE of the difference (.6325) but less than 1.645 SE: no clear best.
    close = score(INSTRUMENT, {**LEAD, "CD1": 4, "CD2": 4, "CD3": 3, "CD4": 2, "SJT4": "c"})
    assert close.stage("closing_negotiation").z == pytest.approx(0.643939, abs=1e-6)
    assert close.best_fit_stages == ()
    assert (close.summary.best_stage, close.summary.top_stage) == (None, "lead_evaluation")


def test_a_flat_profile_has_no_clear_best_stage() -> None:
    # Every Likert item at the keyed pole and every SJT at its best option: all competencies
    # raw 5, every stage far above the mean and level with the others.
    result = score(INSTRUMENT, at_one_pole(keyed=True))
    assert all(s.sten == 10 for s in result.stages)
    assert result.best_fit_stages == ()
    top = min(result.stages, key=lambda s: s.rank)
    assert (result.summary.best_stage, result.summary.top_stage) == (None, top.key)
    assert result.summary.score == 99


def test_the_summary_is_empty_for_an_invalid_result() -> None:
    # 34 statements all answered 4: a long string of identical answers, invalid.
    answers = {i.id: 4 for i in INSTRUMENT.items if i.type in ("likert", "impression")}
    result = score(INSTRUMENT, answers)
    assert result.validity.status == "invalid"
    assert result.stages[0].sten is not None
    assert result.summary.score is None


def test_norms_without_summary_and_phase_norms_give_no_summary_and_the_unnormed_phase() -> None:
    # Norm tables of instrument 1.0 have neither: no summary score rather than an inflated
    # one; phase fit as engine 1 gave it (the mean stage z as a sten).
    legacy = INSTRUMENT.norms.model_copy(update={"summary": None, "phases": None})
    result = score(INSTRUMENT, LEAD, norms=legacy)
    assert result.summary.score is None
    # mean stage z 1.4394 → sten 5.5 + 2.8788 = 8.38 → 8
    assert result.phase_fit == {"pre_sale": 8, "post_sale": None}


def test_answers_may_be_strings_of_numbers() -> None:
    as_int = score(INSTRUMENT, {"LQ1": 4, "LQ2": 2, "LQ3": 5}, scored_at=WHEN)
    as_str = score(INSTRUMENT, {"LQ1": "4", "LQ2": "2", "LQ3": "5"}, scored_at=WHEN)
    assert as_int == as_str


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"NOPE": 3}, "unknown item 'NOPE'"),
        ({"LQ1": 6}, "item LQ1: 6 is not an answer on the 1–5 scale"),
        ({"LQ1": 0}, "item LQ1: 0 is not an answer on the 1–5 scale"),
        ({"LQ1": "x"}, "item LQ1: 'x' is not an answer on the 1–5 scale"),
        ({"LQ1": True}, "item LQ1: True is not an answer"),
        ({"LQ1": 4.5}, "item LQ1: 4.5 is not an answer"),
        ({"IM1": 9}, "item IM1: 9 is not an answer"),
        ({"SJT1": "e"}, "item SJT1: 'e' is not one of the options a, b, c, d"),
        ({"SJT1": 2}, "item SJT1: 2 is not one of the options"),
    ],
)
def test_bad_answers_name_the_item(answers: dict[str, object], message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(")) as caught:
        score(INSTRUMENT, answers)
    assert isinstance(caught.value, UserError)


def test_bad_seconds_name_the_item() -> None:
    with pytest.raises(AnswerError, match="LQ1"):
        score(INSTRUMENT, {"LQ1": 3}, seconds={"LQ1": -2})
    with pytest.raises(AnswerError, match="unknown item 'ZZ'"):
        score(INSTRUMENT, {"LQ1": 3}, seconds={"ZZ": 2})


def test_other_norms_change_the_scores_and_are_recorded() -> None:
    norms = INSTRUMENT.norms.model_copy(
        update={
            "id": "empirical-2026",
            "provisional": False,
            "n": 420,
            "competencies": {
                **INSTRUMENT.norms.competencies,
                "lead_qualification": INSTRUMENT.norms.competencies[
                    "lead_qualification"
                ].model_copy(update={"mean": 3.9333333333333333}),
            },
        }
    )
    answers = {"LQ1": 5, "LQ2": 4, "LQ3": 3, "LQ4": 2, "SJT1": "c"}
    result = score(INSTRUMENT, answers, norms=norms)
    # raw 3.9333 equals the new mean: z 0, sten 5.5 → 6, percentile 50
    lq = result.competency("lead_qualification")
    assert (lq.sten, lq.percentile) == (6, 50)
    assert (result.norm.id, result.norm.n, result.norm.provisional) == (
        "empirical-2026",
        420,
        False,
    )


def test_norms_missing_a_competency_are_refused() -> None:
    competencies = dict(INSTRUMENT.norms.competencies)
    del competencies["closing_drive"]
    norms = INSTRUMENT.norms.model_copy(update={"id": "partial", "competencies": competencies})
    with pytest.raises(UserError, match="closing_drive"):
        score(INSTRUMENT, {"LQ1": 3}, norms=norms)


def test_result_json_has_the_design_shape() -> None:
    data = score(
        INSTRUMENT, {"LQ1": 5, "LQ2": 4, "LQ3": 3}, assessment_id="a-1", scored_at=WHEN
    ).to_json()
    assert list(data) == [
        "assessment_id",
        "instrument",
        "norm",
        "engine_version",
        "scored_at",
        "validity",
        "competencies",
        "stages",
        "best_fit_stages",
        "summary",
        "phase_fit",
    ]
    assert data["assessment_id"] == "a-1"
    assert data["instrument"] == {
        "key": "mini-inventory",
        "version": "0.1",
        "checksum": INSTRUMENT.checksum,
    }
    assert INSTRUMENT.checksum.startswith("sha256:")
    assert data["norm"] == {
        "id": "mini-provisional-0.1",
        "label": "Provisional norms for the mini inventory (fixture)",
        "n": 1000,
        "provisional": True,
        "simulated": False,
    }
    assert data["engine_version"] == ENGINE_VERSION
    assert data["scored_at"] == "2026-01-02T03:04:05Z"
    competency = data["competencies"][0]
    assert set(competency) >= {
        "key", "name", "raw", "z", "sten", "percentile", "band", "band_label",
        "ci90", "borderline", "answered", "items",
    }  # fmt: skip
    assert competency["key"] == "lead_qualification"
    assert competency["name"] == "Lead qualification"
    # raw (5 + 4 + 3) / 3 = 4, z = (4 − 3.30) / .55 = 1.2727; ± 1.6449·.5 = .8224 →
    # z .4503..2.0952 → stens 6.401 → 6 and 9.690 → 10, as a JSON list
    assert competency["ci90"] == [6, 10]
    stage = data["stages"][0]
    assert set(stage) >= {"key", "name", "phase", "sten", "band", "rank", "competencies"}
    assert stage["competencies"] == [
        {"key": "lead_qualification", "weight": 1.0, "band": competency["band"]}
    ]
    # One stage scored: no clear best; the summary is its z (1.5909) normed on the highest
    # stage z (.9, .8): z .8636 → Φ = .8061 → 81.
    assert data["summary"] == {
        "score": 81,
        "max_score": 100,
        "best_stage": None,
        "top_stage": stage["key"],
    }
    assert data["best_fit_stages"] == []
    assert [s["key"] for s in data["stages"]] == [s.key for s in INSTRUMENT.stages]


def test_result_json_reads_back() -> None:
    answers = {"LQ1": 5, "LQ2": 4, "LQ3": 3, "CD1": 2, "CD2": 2, "CD3": 1, "IM1": 5}
    data = score(INSTRUMENT, answers, seconds={"LQ1": 1.0}, scored_at=WHEN).to_json()
    assert Result.from_json(data).to_json() == data


def test_naive_scored_at_is_taken_as_utc() -> None:
    result = score(INSTRUMENT, {}, scored_at=datetime(2026, 5, 6, 7, 8, 9, 999))
    assert result.to_json()["scored_at"] == "2026-05-06T07:08:09Z"
