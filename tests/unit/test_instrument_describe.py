"""describe(): the DESIGN.md describe JSON, counted from the instrument itself; t() fallback."""

from __future__ import annotations

import json

from app.instrument.describe import describe
from app.instrument.loader import load_instrument, parse_instrument
from app.instrument.presentation import pages
from app.instrument.text import t
from tests.unit.instrument_helpers import MINI, edited

CONTRACT_KEYS = {
    "key",
    "version",
    "title",
    "estimated_minutes",
    "stages",
    "competencies",
    "items",
    "item_list",
}


def test_describe_has_the_contract_shape_and_counts() -> None:
    instrument = load_instrument(MINI)
    info = describe(instrument)
    assert set(info) >= CONTRACT_KEYS
    assert (info["key"], info["version"], info["title"]) == (
        "mini-inventory",
        "0.1",
        "Mini Sales Inventory",
    )
    assert info["estimated_minutes"] == 6
    assert info["stages"][3] == {
        "key": "closing_negotiation",
        "name": "Closing/Negotiation",
        "phase": "pre_sale",
    }
    assert [s["phase"] for s in info["stages"]] == ["pre_sale"] * 4 + ["post_sale"] * 3
    # 4 Likert items and the stage's SJT item score each competency; one Likert is reversed.
    assert info["competencies"][0] == {
        "key": "lead_qualification",
        "name": "Lead qualification",
        "items": 5,
        "reverse_keyed": 1,
    }
    assert info["items"] == {"likert": 28, "sjt": 7, "validity": 6}
    assert len(info["item_list"]) == len(instrument.items) == 41
    assert info["checksum"] == instrument.checksum
    assert info["locales"] == ["en"]
    assert info["pages"] == len(pages(instrument))
    json.dumps(info)  # plain JSON, no pydantic objects


def test_item_list_entries() -> None:
    by_id = {row["id"]: row for row in describe(load_instrument(MINI))["item_list"]}
    assert by_id["LQ4"] == {
        "id": "LQ4",
        "type": "likert",
        "competency": "lead_qualification",
        "keyed": "-",
        "options": None,
        "not_applicable": False,
    }
    assert by_id["SJT2"] == {
        "id": "SJT2",
        "type": "sjt",
        "competency": "opening_conversations",
        "keyed": None,
        "options": ["a", "b", "c", "d"],
        "not_applicable": False,
    }
    assert by_id["IM4"] == {
        "id": "IM4",
        "type": "impression",
        "competency": None,
        "keyed": "-",
        "options": None,
        "not_applicable": False,
    }


def test_counts_follow_the_file() -> None:
    # Turn one of opening_conversations' items around: its reverse-keyed count goes up.
    text = edited(
        'competency: opening_conversations\n    keyed: "+"',
        'competency: opening_conversations\n    keyed: "-"',
    )
    info = describe(parse_instrument(text, "m"))
    row = next(c for c in info["competencies"] if c["key"] == "opening_conversations")
    assert row["reverse_keyed"] == 2


def test_t_picks_the_locale_and_falls_back_to_the_first() -> None:
    text = {"en": "Risk", "de": "Risiko"}
    assert t(text, "de") == "Risiko"
    assert t(text, "en") == "Risk"
    assert t(text, "fr") == "Risk"
    assert t({"en": "Risk", "de": ""}, "de") == "Risk"


def test_t_prefers_the_given_fallback_locale() -> None:
    text = {"de": "Risiko", "en": "Risk"}
    assert t(text, "fr", fallback="en") == "Risk"
    assert t(text, "fr") == "Risiko"
