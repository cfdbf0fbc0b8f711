"""Semantic checks: each rule catches its mistake and reports it on the offending line."""

from __future__ import annotations

import pytest

from app.instrument.loader import InstrumentError, parse_instrument
from tests.unit.instrument_helpers import MINI_TEXT, edited, line_of

SJT1_OPTIONS = """\
      - key: a
        text:
          en: Act on what the client told you.
        score: 3
"""

# (why, old text, new text, text on the reported line, its occurrence, expected message part)
CASES = [
    ("duplicate item id", "id: LQ2", "id: LQ1", "id: LQ1", 2, "duplicate item id 'LQ1'"),
    (
        "unknown competency of an item",
        "competency: closing_drive\n    keyed",
        "competency: closing_drve\n    keyed",
        "competency: closing_drve",
        1,
        "unknown competency 'closing_drve'",
    ),
    (
        "duplicate competency key",
        "  - key: opening_conversations\n    name:",
        "  - key: lead_qualification\n    name:",
        "  - key: lead_qualification\n    name:",
        2,
        "duplicate competency key 'lead_qualification'",
    ),
    (
        "weights not summing to 1",
        "weight: 0.7",
        "weight: 0.6",
        "    competencies:\n      - competency: opening_conversations",
        1,
        "weights of initial_contact sum to 0.9, not 1",
    ),
    (
        "stage weights an unknown competency",
        "      - competency: lead_qualification\n        weight: 0.3",
        "      - competency: lead_qualifying\n        weight: 0.3",
        "competency: lead_qualifying",
        1,
        "unknown competency 'lead_qualifying'",
    ),
    (
        "pitfall tied to a competency its stage does not weigh",
        "        competencies: [lead_qualification]\n",
        "        competencies: [closing_drive]\n",
        "competencies: [closing_drive]",
        1,
        "pitfall competency 'closing_drive' is not weighted in lead_evaluation",
    ),
    (
        "pitfall naming a competency twice",
        "        competencies: [relationship_building, follow_through]\n",
        "        competencies: [follow_through, follow_through]\n",
        "competencies: [follow_through, follow_through]",
        1,
        "a competency is listed twice for this pitfall of account_management",
    ),
    (
        "stages out of order",
        "  - key: lead_evaluation\n    phase: pre_sale",
        "  - key: initial_contact\n    phase: pre_sale",
        "  - key: initial_contact",
        1,
        "stage 1 must be 'lead_evaluation'",
    ),
    (
        "wrong phase",
        "  - key: expansion\n    phase: post_sale",
        "  - key: expansion\n    phase: pre_sale",
        "phase: pre_sale",
        5,
        "expansion belongs to phase 'post_sale'",
    ),
    (
        "SJT option without a best answer",
        "        score: 3\n",
        "        score: 2\n",
        "    options:",
        1,
        "no option of SJT1 has the best score 3",
    ),
    (
        "SJT duplicate option key",
        "      - key: b\n",
        "      - key: a\n",
        "      - key: a\n",
        2,
        "duplicate option key 'a' in SJT1",
    ),
    (
        "SJT competency not weighted in its stage",
        "    stage: lead_evaluation\n    competency: lead_qualification",
        "    stage: lead_evaluation\n    competency: follow_through",
        "competency: follow_through\n    scenario",
        1,
        "'follow_through' is not weighted in stage 'lead_evaluation'",
    ),
    (
        "competency without a band sentence",
        "      strength:\n        en: The rep excels at lead qualification.\n",
        "",
        "    bands:",
        1,
        "no sentence for bands: strength",
    ),
    (
        "competency without a feedback sentence",
        "      small_risk:\n        en: Your answers suggest that you are sometimes unsure in"
        " opening conversations.\n",
        "",
        "    feedback:",
        2,
        "no feedback sentence for bands: small_risk",
    ),
    (
        "feedback sentences out of band order",
        "      risk:\n        en: Your answers suggest that lead qualification does not come"
        " easily to you yet.\n      small_risk:\n",
        "      small_risk:\n        en: Your answers suggest that lead qualification does not come"
        " easily to you yet.\n      risk:\n",
        "    feedback:",
        1,
        "feedback must be in order: risk, small_risk",
    ),
    (
        "feedback for a band that does not exist",
        "      strength:\n        en: Your answers suggest that lead qualification is one of your",
        "      strong:\n        en: Your answers suggest that lead qualification is one of your",
        "strong:",
        1,
        "competencies[0].feedback.strong",
    ),
    (
        "feedback sentence without text in a locale",
        "        en: Your answers suggest that you are often good at keeping promises.\n",
        "        de: Ihre Antworten zeigen, dass Sie oft Versprechen halten.\n",
        "      small_strength:\n        de: Ihre Antworten",
        1,
        "no text for locale en",
    ),
    (
        "only one self-development action",
        "      - en: Ask a colleague you trust for feedback on your discovery questioning.\n",
        "",
        "    self_development:",
        3,
        "competencies[2].self_development",
    ),
    (
        "empty self-development action",
        "      - en: Ask a colleague you trust for feedback on your asking for commitment.\n",
        '      - en: " "\n',
        'en: " "',
        1,
        "empty 'en' text",
    ),
    (
        "cut points not increasing",
        "band_cuts: [2, 4, 6, 8]",
        "band_cuts: [2, 6, 4, 8]",
        "band_cuts:",
        1,
        "cut points must increase: 4 follows 6",
    ),
    (
        "cut point off the sten scale",
        "band_cuts: [2, 4, 6, 8]",
        "band_cuts: [0, 4, 6, 8]",
        "band_cuts:",
        1,
        "cut point 0 is outside the sten range 1..10",
    ),
    (
        "scale labels do not match points",
        "  points: 5",
        "  points: 7",
        "  labels:",
        1,
        "5 labels for a 7-point scale",
    ),
    (
        "missing norms for a competency",
        "    closing_drive: {mean",
        "    closing_driv: {mean",
        "    closing_driv: {mean",
        1,
        "norms for unknown competency 'closing_driv'",
    ),
    (
        "consistency pair across competencies",
        "[LQ1, LQ2]",
        "[LQ1, OC2]",
        "[LQ1, OC2]",
        1,
        "LQ1 and OC2 measure different competencies",
    ),
    (
        "consistency pair with an impression item",
        "[OC1, OC2]",
        "[OC1, IM2]",
        "[OC1, IM2]",
        1,
        "IM2 is not a Likert item",
    ),
    (
        "consistency pair of one item twice",
        "[DQ1, DQ2]",
        "[DQ1, DQ1]",
        "[DQ1, DQ1]",
        1,
        "a pair needs two different items, not DQ1 twice",
    ),
    (
        "validity thresholds in the wrong order",
        "longstring_invalid: 25",
        "longstring_invalid: 12",
        "longstring_invalid",
        1,
        "must be above longstring_caution (15)",
    ),
    (
        "speed thresholds in the wrong order",
        "invalid_seconds_per_item: 1.5",
        "invalid_seconds_per_item: 4",
        "invalid_seconds_per_item",
        1,
        "must be below caution_seconds_per_item",
    ),
    (
        "impression threshold out of reach",
        "impression_invalid: 6",
        "impression_invalid: 7",
        "impression_invalid",
        1,
        "7 can never be reached with 6 impression items",
    ),
    (
        "too few items for min_answered",
        "min_answered: 3",
        "min_answered: 6",
        "  - key: lead_qualification",
        1,
        "has 5 items; scoring.min_answered needs at least 6",
    ),
    (
        "missing locale text",
        "      en: Keeping promises\n",
        "      de: Versprechen halten\n",
        "    name:\n      de:",
        1,
        "no text for locale en",
    ),
    (
        "empty text",
        "      en: Risk\n",
        '      en: " "\n',
        'en: " "',
        1,
        "empty 'en' text",
    ),
    (
        "text in a locale the instrument does not declare",
        "  en: Mini Sales Inventory\n",
        "  en: Mini Sales Inventory\n  fr: Mini inventaire\n",
        "fr: Mini",
        1,
        "locale 'fr' is not in the instrument's locales",
    ),
    (
        "'does not apply' offered without its label",
        '    competency: lead_qualification\n    keyed: "+"\n    text:\n'
        "      en: I ask about budget",
        '    competency: lead_qualification\n    keyed: "+"\n    not_applicable: true\n'
        "    text:\n      en: I ask about budget",
        "scale:",
        1,
        "items LQ1 offer 'does not apply': give its label as scale.not_applicable",
    ),
    (
        "Mahalanobis invalid below caution",
        "    impression_invalid: 6\n",
        "    impression_invalid: 6\n    mahalanobis_caution: 3.0\n    mahalanobis_invalid: 2.5\n",
        "mahalanobis_invalid: 2.5",
        1,
        "must be above mahalanobis_caution (3.0)",
    ),
    (
        "person-total invalid above caution (lower is worse)",
        "    impression_invalid: 6\n",
        "    impression_invalid: 6\n    person_total_caution: 0.1\n    person_total_invalid: 0.2\n",
        "person_total_invalid: 0.2",
        1,
        "must be below person_total_caution (0.1): lower is worse",
    ),
    (
        "validity norms naming an item that is not a Likert item",
        "  summary: {mean: 0.9, sd: 0.8}\n",
        "  summary: {mean: 0.9, sd: 0.8}\n  validity:\n    items: [LQ1, IM1]\n"
        '    mean: "3 3"\n    sd: "1 1"\n    correlation: ["0.2"]\n',
        "items: [LQ1, IM1]",
        1,
        "'IM1' is not a Likert item of the instrument",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "occurrence", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule(old: str, new: str, needle: str, occurrence: int, message: str) -> None:
    text = edited(old, new)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "mini.yaml")
    line = line_of(text, needle, occurrence)
    hits = [p for p in caught.value.problems if message in p]
    assert hits, caught.value.problems
    assert hits[0].startswith(f"mini.yaml:{line}: "), (hits, line)


def test_competency_without_reverse_keyed_item() -> None:
    text = MINI_TEXT
    # The reverse-keyed item of lead_qualification is its fourth.
    block = '  - id: LQ4\n    type: likert\n    competency: lead_qualification\n    keyed: "-"'
    text = edited(block, block.replace('"-"', '"+"'))
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "m.yaml")
    line = line_of(text, "  - key: lead_qualification")
    assert caught.value.problems == [
        f"m.yaml:{line}: competencies[0].key: "
        "competency 'lead_qualification' has no reverse-keyed Likert item"
    ]


def test_competency_serving_no_stage() -> None:
    text = edited(
        "      - competency: follow_through\n        weight: 1.0",
        "      - competency: closing_drive\n        weight: 1.0",
    )
    text = edited(
        "      - competency: relationship_building\n        weight: 0.6\n        role:\n"
        "          en: Building client relationships matters in account management.\n"
        "      - competency: follow_through\n",
        "      - competency: relationship_building\n        weight: 0.6\n        role:\n"
        "          en: Building client relationships matters in account management.\n"
        "      - competency: closing_drive\n",
        text=text,
    )
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "m.yaml")
    assert any(
        p.startswith(f"m.yaml:{line_of(text, '  - key: follow_through')}: ")
        and "'follow_through' serves no stage" in p
        for p in caught.value.problems
    ), caught.value.problems


def test_problems_come_in_file_order() -> None:
    text = edited("id: LQ2", "id: LQ1")
    text = edited("weight: 0.7", "weight: 0.6", text=text)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "m.yaml")
    lines = [int(p.split(":")[1]) for p in caught.value.problems]
    assert lines == sorted(lines)
    assert len(lines) >= 3


def test_every_real_mistake_is_reported_not_only_the_first() -> None:
    text = edited("id: OC3", "id: OC1")
    text = edited("id: FT3", "id: FT1", text=text)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "m.yaml")
    assert sum("duplicate item id 'OC1'" in p for p in caught.value.problems) == 1
    assert sum("duplicate item id 'FT1'" in p for p in caught.value.problems) == 1


def test_pitfall_needs_at_least_one_competency() -> None:
    text = edited("        competencies: [lead_qualification]\n", "        competencies: []\n")
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "m.yaml")
    line = line_of(text, "competencies: []")
    assert any(
        p.startswith(f"m.yaml:{line}: stages[0].pitfalls[0].competencies")
        for p in caught.value.problems
    ), caught.value.problems
