"""The JSON Schema of the instrument file format, as committed in questionnaires/schema.json."""

from __future__ import annotations

import json
from typing import Any

from app.instrument.model import Instrument

SCHEMA_ID = "https://stagefit.example/questionnaires/schema.json"


def instrument_schema() -> dict[str, Any]:
    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def schema_text() -> str:
    """The schema as written to disk: sorted keys and a trailing newline, so diffs stay small."""
    return json.dumps(instrument_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
