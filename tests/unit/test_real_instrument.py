"""The shipped Sales Process Competency Inventory meets its content promises: 1.0 those of
issue 2, 1.1 also those of issue 10 (docs/methodology.md §10)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.instrument.answers import offers_not_applicable
from app.instrument.loader import load_instrument
from app.instrument.model import ImpressionItem, Instrument, LikertItem, SjtItem
from app.instrument.presentation import pages
from app.instrument.process import STAGE_KEYS

QUESTIONNAIRES = Path(__file__).parents[2] / "questionnaires"
VERSIONS = ("1.0", "1.1")
WORDS_PER_MINUTE = 200
SECONDS_TO_CHOOSE = {"likert": 3.0, "impression": 3.0, "sjt": 10.0}
WELCOME_AND_REVIEW_MINUTES = 2.0


@pytest.fixture(scope="module", params=VERSIONS)
def inventory(request: pytest.FixtureRequest) -> Instrument:
    return load_instrument(QUESTIONNAIRES / f"sales-process-inventory-{request.param}.yaml")


def _words(text: str) -> int:
    return len(text.split())


def test_identity(inventory: Instrument) -> None:
    assert inventory.key == "sales-process-inventory"
    assert inventory.version in VERSIONS
    assert [stage.key for stage in inventory.stages] == list(STAGE_KEYS)


def test_at_least_21_competencies_each_serving_a_stage(inventory: Instrument) -> None:
    assert len(inventory.competencies) >= 21
    served = {sc.competency for stage in inventory.stages for sc in stage.competencies}
    assert served == {c.key for c in inventory.competencies}
    # About three competencies matter most per stage.
    assert all(3 <= len(stage.competencies) <= 4 for stage in inventory.stages)


def test_five_likert_items_per_competency_with_a_reverse_keyed_one(inventory: Instrument) -> None:
    likert = [item for item in inventory.items if isinstance(item, LikertItem)]
    per_competency = Counter(item.competency for item in likert)
    reverse = Counter(item.competency for item in likert if item.keyed == "-")
    for competency in inventory.competencies:
        assert per_competency[competency.key] >= 5, competency.key
        assert reverse[competency.key] >= 1, competency.key


def test_a_situational_judgement_item_per_stage(inventory: Instrument) -> None:
    sjt = [item for item in inventory.items if isinstance(item, SjtItem)]
    assert {item.stage for item in sjt} == set(STAGE_KEYS)
    for item in sjt:
        assert len(item.options) == 4, item.id
        # An expert key that ranks the options: best 3, worst 0.
        assert sorted(option.score for option in item.options) == [0, 1, 2, 3], item.id
        assert all(option.rationale["en"].strip() for option in item.options)


def test_validity_scale(inventory: Instrument) -> None:
    impression = [item for item in inventory.items if isinstance(item, ImpressionItem)]
    assert len(impression) >= 6
    # 1.0 judged consistency on five hand-made pairs of near-duplicates; 1.1 on psychometric
    # synonyms and antonyms drawn from the norm data instead.
    if inventory.version == "1.0":
        assert len(inventory.consistency_pairs) >= 5
    else:
        assert inventory.consistency_pairs == []
        assert inventory.norms.validity is not None
        assert len(inventory.norms.validity.synonyms) >= 20
        assert len(inventory.norms.validity.antonyms) >= 20


def test_competency_texts_for_managers(inventory: Instrument) -> None:
    for competency in inventory.competencies:
        assert len(competency.bands) == 5
        assert len(competency.development) >= 2


def test_competency_texts_for_the_rep(inventory: Instrument) -> None:
    # The participant report prints these to the rep: second person, never "the rep".
    for competency in inventory.competencies:
        assert list(competency.feedback) == list(competency.bands)
        assert len(competency.self_development) >= 2
        for sentence in competency.feedback.values():
            assert re.search(r"\byour?\b", sentence["en"], re.IGNORECASE), sentence
        for sentence in [*competency.feedback.values(), *competency.self_development]:
            assert "the rep" not in sentence["en"].lower(), sentence


def test_estimated_minutes_follow_from_the_texts(inventory: Instrument) -> None:
    seconds = 0.0
    for item in inventory.items:
        if isinstance(item, SjtItem):
            words = _words(item.scenario["en"]) + _words(item.question["en"])
            words += sum(_words(option.text["en"]) for option in item.options)
        else:
            words = _words(item.text["en"])
        seconds += words / WORDS_PER_MINUTE * 60 + SECONDS_TO_CHOOSE[item.type]
    estimate = seconds / 60 + WELCOME_AND_REVIEW_MINUTES
    assert inventory.estimated_minutes <= 25
    assert abs(inventory.estimated_minutes - estimate) <= 3, estimate


def test_norms_are_labelled_provisional_with_their_n(inventory: Instrument) -> None:
    norms = inventory.norms
    assert norms.provisional and norms.from_simulation
    label = norms.label.lower()
    assert "provisional" in label or "no real respondents" in label
    assert norms.n >= 1000
    assert set(norms.competencies) == {c.key for c in inventory.competencies}
    assert set(norms.stages) == set(STAGE_KEYS)


@pytest.fixture(scope="module")
def v11() -> Instrument:
    return load_instrument(QUESTIONNAIRES / "sales-process-inventory-1.1.yaml")


# The items issue 10 found weak, replaced in 1.1 (new ids; docs/methodology.md §10 maps them).
REPLACED = {
    "PI03": "a circumstance, not a behaviour",
    "RR03": "double-barrelled",
    "BA01": "double-barrelled, 'each'",
    "CP03": "double-barrelled",
    "OS05": "keyed + but describes holding back",
    "OC04": "a closing behaviour under Initial Contact",
    "PD03": "depends on policy",
    "IC05": "depends on policy",
    "OH05": "hardly anyone agrees",
    "PD01": "'every'",
    "PD02": "'every'",
    "CD01": "'every', near-duplicate of OC04",
    "AP01": "'each'",
    "AP02": "'each'",
    "LQ05": "near-verbatim pair with LQ01",
    "AL05": "near-verbatim pair with AL01",
    "FT05": "near-verbatim pair with FT01",
    "RB05": "near-verbatim pair with RB01",
    "IM01": "overlaps pipeline discipline",
    "IM03": "overlaps RR05",
    "IM05": "overlaps follow-through",
}


def test_the_weak_items_of_1_0_are_replaced(v11: Instrument) -> None:
    old = load_instrument(QUESTIONNAIRES / "sales-process-inventory-1.0.yaml")
    old_ids = {item.id for item in old.items}
    new = {item.id: item for item in v11.items}
    assert set(REPLACED) <= old_ids
    assert not set(REPLACED) & set(new)
    # An id that stayed is the same statement: ids link items across versions.
    for item in old.items:
        if item.id in new and item.type != "sjt":
            assert new[item.id].text == item.text, item.id  # type: ignore[union-attr]


def _content_words(text: str) -> set[str]:
    stop = {"the", "and", "for", "with", "that", "this", "have", "has", "had", "was", "our"}
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 2 and w not in stop}


def test_impression_items_do_not_share_content_with_competency_statements(
    v11: Instrument,
) -> None:
    # 1.0's IM03 and RR05 shared 'put off calling' (similarity .20); 1.1 keeps well below.
    likert = [i for i in v11.items if isinstance(i, LikertItem)]
    for im in (i for i in v11.items if isinstance(i, ImpressionItem)):
        mine = _content_words(im.text["en"])
        for item in likert:
            theirs = _content_words(item.text["en"])
            assert len(mine & theirs) / len(mine | theirs) < 0.15, (im.id, item.id)


def test_reverse_keyed_statements_are_spread_over_the_pages(v11: Instrument) -> None:
    # 1.0 had 19 of its 29 reverse-keyed statements on pages 6-10.
    kind = {i.id: i for i in v11.items}
    counts = [
        sum(1 for i in page if isinstance(kind[i], LikertItem) and kind[i].keyed == "-")
        for page in pages(v11)
        if not any(isinstance(kind[i], SjtItem) for i in page)
    ]
    assert all(1 <= c <= 4 for c in counts), counts
    assert sum(counts[len(counts) // 2 :]) <= 0.6 * sum(counts)


def test_two_scenarios_per_stage_whose_best_option_is_rarely_the_longest(v11: Instrument) -> None:
    sjt = [i for i in v11.items if isinstance(i, SjtItem)]
    assert Counter(i.stage for i in sjt) == dict.fromkeys(STAGE_KEYS, 2)
    longest_is_best = 0
    for item in sjt:
        longest = max(item.options, key=lambda o: len(o.text["en"]))
        longest_is_best += longest.score == 3
    # In 1.0 the best option was the longest in 6 of 7; by chance it would be in 1 of 4.
    assert longest_is_best <= len(sjt) // 4


def test_coverage_of_persistence_and_the_buying_group(v11: Instrument) -> None:
    texts = {
        i.id: (i.text["en"] if not isinstance(i, SjtItem) else i.scenario["en"]) for i in v11.items
    }
    assert "has not replied after two attempts" in texts["PI06"]
    assert "not replied to two emails and a voicemail" in texts["SJT09"]
    assert "other people involved in the purchase" in texts["CD06"]
    assert "must also approve" in texts["SJT11"]


def test_does_not_apply_is_offered_only_where_a_statement_presumes_a_stage(
    v11: Instrument,
) -> None:
    offered = offers_not_applicable(v11)
    assert v11.scale.not_applicable == {"en": "Does not apply to my work"}
    by_competency: dict[str, set[bool]] = {}
    for item in v11.items:
        if isinstance(item, LikertItem):
            by_competency.setdefault(item.competency, set()).add(item.id in offered)
    # Every rep explores needs, handles objections and negotiates: no way out there.
    for key in ("discovery_questioning", "objection_handling", "negotiation", "closing_drive"):
        assert by_competency[key] == {False}, key
    # Cold outreach and account work presume stages many reps do not work in.
    for key in ("prospecting_initiative", "opening_conversations", "account_planning"):
        assert by_competency[key] == {True}, key


def test_thresholds_and_norms_of_1_1_come_from_the_simulation(v11: Instrument) -> None:
    v = v11.scoring.validity
    for name in (
        "fast_pages_caution",
        "even_odd_caution",
        "person_total_caution",
        "mahalanobis_caution",
        "synonyms_caution",
        "antonyms_caution",
        "favourable_caution",
        "impression_caution_z",
    ):
        assert getattr(v, name) is not None, name
    assert v.basis is not None and "simulated attentive respondents" in v.basis
    norms = v11.norms
    assert norms.simulated and norms.label.startswith("Simulated norms — no real respondents yet")
    assert norms.summary is not None and norms.summary.percentiles is not None
    assert norms.phases is not None and set(norms.phases) == {"pre_sale", "post_sale"}
    assert norms.exclusions is not None and norms.population is not None
