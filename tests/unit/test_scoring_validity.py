"""Validity flags: too fast, long strings, inconsistency, impression management, incomplete."""

from __future__ import annotations

from app.instrument.loader import load_instrument, parse_instrument
from app.instrument.presentation import presentation_order
from app.scoring.engine import score
from app.scoring.result import Validity
from tests.unit.instrument_helpers import MINI, edited

INSTRUMENT = load_instrument(MINI)
SCALE_ITEMS = [i.id for i in INSTRUMENT.items if i.type in ("likert", "impression")]
ORDER = [i for i in presentation_order(INSTRUMENT) if i in SCALE_ITEMS]
SJT = {i.id: "a" for i in INSTRUMENT.items if i.type == "sjt"}
# Mini thresholds: seconds caution < 3, invalid < 1.5; long string caution ≥ 15, invalid ≥ 25;
# inconsistency caution ≥ 1.5, invalid ≥ 2.25; impression caution ≥ 4, invalid ≥ 6.


def varied() -> dict[str, object]:
    """A complete, careful-looking answer set: no two neighbours alike, pairs agree."""
    answers: dict[str, object] = {item_id: 2 + k % 3 for k, item_id in enumerate(ORDER)}
    for a, b in (p.items for p in INSTRUMENT.consistency_pairs):
        answers[b] = answers[a]
    for k in range(1, 7):
        answers[f"IM{k}"] = 3
    return {**answers, **SJT}


def validity(answers: dict[str, object], seconds: dict[str, object] | None = None) -> Validity:
    return score(INSTRUMENT, answers, seconds=seconds).validity


def codes(v: Validity) -> list[tuple[str, str]]:
    return [(f.code, f.level) for f in v.flags]


def test_a_careful_answer_set_is_valid() -> None:
    v = validity(varied(), {i: 6.0 for i in varied()})
    assert (v.status, v.flags) == ("valid", ())


def test_too_fast() -> None:
    answers = varied()
    # median 2.0 s < 3 → caution; median 1.0 s < 1.5 → invalid; no seconds → not judged
    assert codes(validity(answers, {i: 2.0 for i in answers})) == [("too_fast", "caution")]
    assert codes(validity(answers, {i: 1.0 for i in answers})) == [("too_fast", "invalid")]
    assert validity(answers).status == "valid"
    # The median, not the mean: a few slow items do not hide a fast majority.
    seconds: dict[str, object] = {i: 1.0 for i in answers}
    seconds["LQ1"] = 600.0
    assert codes(validity(answers, seconds)) == [("too_fast", "invalid")]


def test_long_strings_in_presentation_order() -> None:
    answers = varied()
    # The first 20 statements in presentation order all answered 3; the rest alternate 1/5.
    for k, item_id in enumerate(ORDER):
        answers[item_id] = 3 if k < 20 else (1 if k % 2 else 5)
    flags = validity(answers).flags
    assert [(f.code, f.level) for f in flags if f.code == "long_string"] == [
        ("long_string", "caution")
    ]
    assert f"20 identical answers in a row (items {ORDER[0]} to {ORDER[19]})" in flags[0].detail
    # All 34 statements the same: invalid (straight-lining).
    same = {**SJT, **{item_id: 4 for item_id in ORDER}}
    assert ("long_string", "invalid") in codes(validity(same))


def test_a_missing_answer_breaks_a_string() -> None:
    answers = {item_id: 3 for item_id in ORDER}
    for k in range(10, len(ORDER), 10):  # a gap every 10 items: runs of at most 10
        del answers[ORDER[k]]
    assert "long_string" not in [f.code for f in validity(answers).flags]


def test_inconsistency_over_pairs_after_reverse_keying() -> None:
    answers = varied()
    pairs = [p.items for p in INSTRUMENT.consistency_pairs]  # all five pairs are + keyed
    for a, b in pairs:
        answers[a], answers[b] = 5, 3  # |5 − 3| = 2 on each pair: mean 2 ≥ 1.5 → caution
    assert ("inconsistent", "caution") in codes(validity(answers))
    for a, b in pairs:
        answers[a], answers[b] = 5, 1  # mean 4 ≥ 2.25 → invalid
    assert ("inconsistent", "invalid") in codes(validity(answers))
    for a, _ in pairs[2:]:
        del answers[a]  # only two answered pairs left: too few to judge
    assert "inconsistent" not in [f.code for f in validity(answers).flags]


def test_inconsistency_compares_item_scores_not_raw_answers() -> None:
    # Pairs of a + keyed and a − keyed item: answering 5 and 1 says the same thing twice
    # (item scores 5 and 6 − 1 = 5), so it is consistent; 5 and 5 is not (5 vs 1).
    text = edited("  - items: [LQ1, LQ2]", "  - items: [LQ1, LQ4]")
    text = edited("  - items: [OC1, OC2]", "  - items: [OC1, OC4]", text=text)
    text = edited("  - items: [DQ1, DQ2]", "  - items: [DQ1, DQ4]", text=text)
    mixed = parse_instrument(text, "mixed.yaml")
    pairs = [("LQ1", "LQ4"), ("OC1", "OC4"), ("DQ1", "DQ4")]
    agree = {**{a: 5 for a, _ in pairs}, **{b: 1 for _, b in pairs}}
    assert "inconsistent" not in [f.code for f in score(mixed, agree).validity.flags]
    same = {**{a: 5 for a, _ in pairs}, **{b: 5 for _, b in pairs}}
    assert ("inconsistent", "invalid") in codes(score(mixed, same).validity)


def test_impression_management() -> None:
    answers = varied()
    # IM1, IM2, IM3, IM5 keyed +: extreme is 5; IM4, IM6 keyed −: extreme is 1.
    answers.update({"IM1": 5, "IM2": 5, "IM3": 5, "IM4": 1, "IM5": 4, "IM6": 2})
    assert codes(validity(answers)) == [("impression_management", "caution")]  # 4 claimed
    answers.update({"IM5": 5, "IM6": 1})
    # 6 claimed: the old invalid threshold, but impression management alone is a caution.
    assert codes(validity(answers)) == [("impression_management", "caution")]
    # Agreeing with the − keyed items admits a common fault: only IM1..3, IM5 claimed → 4.
    answers.update({"IM4": 5, "IM6": 5})
    assert codes(validity(answers)) == [("impression_management", "caution")]
    answers.update({"IM1": 4, "IM2": 4})  # "agree" is not the extreme: 2 claimed
    assert codes(validity(answers)) == []


def test_incomplete_answer_sets_get_a_caution() -> None:
    answers = varied()
    total = len(INSTRUMENT.items)  # 41: 90 % is 36.9, so 37 answered is complete
    keep = dict(list(answers.items())[:37])
    assert "incomplete" not in [f.code for f in validity(keep).flags]
    fewer = dict(list(answers.items())[:36])
    v = validity(fewer)
    assert ("incomplete", "caution") in codes(v)
    assert f"36 of {total} items answered" in v.flags[-1].detail


def test_status_is_the_worst_level() -> None:
    answers = varied()
    answers.update({"IM1": 5, "IM2": 5, "IM3": 5, "IM4": 1})  # caution
    v = validity(answers, {i: 1.0 for i in answers})  # plus invalid speed
    assert v.status == "invalid"
    assert sorted(codes(v)) == [("impression_management", "caution"), ("too_fast", "invalid")]
