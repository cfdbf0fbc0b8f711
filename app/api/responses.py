"""OpenAPI `responses` entries the HR API's endpoints share: errors are RFC 9457 problem
details (app/problems.py), so every documented error says so."""

from __future__ import annotations

from typing import Any

from app.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status"],
}
PDF: dict[str, Any] = {"content": {"application/pdf": {}}, "description": "The PDF report."}


def problem(description: str) -> dict[str, Any]:
    """A documented error response: `description` says when it happens."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
