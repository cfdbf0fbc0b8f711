"""Shared helpers for the report tests: real results (simulated answers scored by the real
engine) and text extracted from rendered PDFs."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from app.instrument.loader import load_instrument
from app.instrument.model import Instrument
from app.scoring.engine import score
from app.scoring.simulate import simulate_answers

REPO = Path(__file__).resolve().parents[2]
BAND_LABELS = ("Risk", "Small risk", "Medium impact", "Small strength", "Strength")


def real_instrument() -> Instrument:
    """The real instrument when it is there, else the mini fixture."""
    paths = sorted((REPO / "questionnaires").glob("sales-process-inventory-*.yaml"))
    return load_instrument(paths[-1] if paths else REPO / "tests/fixtures/mini-instrument.yaml")


def simulated_result(
    instrument: Instrument,
    seed: int,
    latent: Mapping[str, float] | None = None,
    *,
    drop: tuple[str, ...] = (),
    seconds_per_item: float | None = None,
    assessment_id: str = "test-assessment",
) -> dict[str, Any]:
    """A result JSON from the real engine; `drop` removes the answers of those competencies."""
    answers, seconds = simulate_answers(instrument, dict(latent or {}), np.random.default_rng(seed))
    dropped = {
        item.id
        for item in instrument.items
        if getattr(item, "competency", None) in drop and item.type == "likert"
    }
    answers = {k: v for k, v in answers.items() if k not in dropped}
    seconds = {k: v for k, v in seconds.items() if k not in dropped}
    if seconds_per_item is not None:
        seconds = dict.fromkeys(seconds, seconds_per_item)
    return score(instrument, answers, seconds=seconds, assessment_id=assessment_id).to_json()


# What the engine writes beyond DESIGN.md's result JSON, which a stored result may lack.
STAGE_EXTRAS = ("status", "z", "percentile", "band_label", "ci90", "borderline")


def old_shaped(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result JSON as DESIGN.md documents it and early results were stored: no
    `phase_fit`, no `status` on competencies, stages with only key, name, phase, sten, band,
    rank and competencies."""
    old = copy.deepcopy(dict(result))
    del old["phase_fit"]
    for competency in old["competencies"]:
        del competency["status"]
    for stage in old["stages"]:
        for key in STAGE_EXTRAS:
            del stage[key]
    return old


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page as PDFium (Chrome's PDF engine) reads it, whitespace collapsed
    (line breaks fall anywhere in a PDF). PDFium rather than pypdf, whose pure-Python parsing
    was 14 % of the suite's CPU time (docs/performance.md)."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            re.sub(r"\s+", " ", page.get_textpage().get_text_bounded()).strip() for page in document
        ]
    finally:
        document.close()


def pdf_text(pdf: bytes, *, page: int | None = None) -> str:
    """The text of the whole PDF, or of one page (counted from 1), whitespace collapsed."""
    pages = pdf_pages(pdf)
    return pages[page - 1] if page else " ".join(pages)


def pdf_size(pdf: bytes) -> tuple[float, float]:
    document = pdfium.PdfDocument(pdf)
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    return float(width), float(height)
