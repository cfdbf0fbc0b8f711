"""questionnaires/schema.json is the JSON Schema of the instrument model, and it validates files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from app.instrument.schema import instrument_schema, schema_text
from tests.unit.instrument_helpers import MINI

COMMITTED = Path(__file__).resolve().parents[2] / "questionnaires" / "schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "questionnaires/schema.json is out of date with app/instrument/model.py: run `make schema`"
    )


def test_schema_text_is_sorted_with_trailing_newline() -> None:
    text = schema_text()
    assert text.endswith("}\n")
    assert json.loads(text) == instrument_schema()
    data = json.loads(text)
    assert list(data) == sorted(data)


def test_schema_describes_the_top_level_fields() -> None:
    schema = instrument_schema()
    assert {"key", "version", "locales", "stages", "competencies", "items", "norms"} <= set(
        schema["required"]
    )
    assert schema["additionalProperties"] is False


REAL = COMMITTED.parent / "sales-process-inventory-1.0.yaml"
REAL_1_1 = COMMITTED.parent / "sales-process-inventory-1.1.yaml"


@pytest.mark.parametrize("path", [MINI, REAL, REAL_1_1], ids=["mini", "real-1.0", "real-1.1"])
def test_exported_schema_accepts_instruments_and_rejects_a_bad_field(path: Path) -> None:
    # Editors validate instrument files with schema.json: it must agree with the loader.
    validator = jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text()))
    data = _plain(YAML(typ="safe").load(path.read_text()))
    assert list(validator.iter_errors(data)) == []
    data["items"][0]["keyed"] = "x"
    errors = list(validator.iter_errors(data))
    assert errors
    assert any("items" in list(e.absolute_path) for e in errors)


def _plain(node: Any) -> Any:
    # YAML dates become text, as the loader does.
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node
