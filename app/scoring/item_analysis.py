"""Item analysis of collected answers: per competency alpha, its CI, SEM and item statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.instrument.model import Instrument
from app.scoring.plan import FloatArray, plan_for
from app.scoring.reliability import ReliabilityError, analyse_scale, complete_rows


def item_analysis(instrument: Instrument, scores: FloatArray) -> dict[str, Any]:
    """The analyze JSON: per competency alpha, its CI, SEM and per-item statistics."""
    plan = plan_for(instrument)
    competencies = []
    for c, key in enumerate(plan.competency_keys):
        columns = np.flatnonzero(plan.item_competency[:, c] > 0)
        matrix = scores[:, columns]
        ids = [plan.item_ids[k] for k in columns]
        competencies.append({"key": key, **_scale(matrix, ids)})
    return {"n": int(scores.shape[0]), "competencies": competencies}


def _scale(matrix: FloatArray, ids: list[str]) -> dict[str, Any]:
    try:
        result = analyse_scale(matrix)
    except ReliabilityError:
        # Too few complete rows (or no variance): report what there is, no invented alpha.
        rows = complete_rows(matrix)
        return {
            "n": int(rows.shape[0]),
            "alpha": None,
            "alpha_ci95": None,
            "sem": None,
            "items": [
                {
                    "id": item_id,
                    "mean": _num(float(rows[:, j].mean())) if len(rows) else None,
                    "sd": _num(float(np.std(rows[:, j], ddof=1))) if len(rows) > 1 else None,
                    "item_total_r": None,
                }
                for j, item_id in enumerate(ids)
            ],
        }
    return {
        "n": result.n,
        "alpha": _num(result.alpha),
        "alpha_ci95": [_num(result.alpha_ci95[0]), _num(result.alpha_ci95[1])],
        "sem": _num(result.sem),
        "items": [
            {
                "id": item_id,
                "mean": _num(s.mean),
                "sd": _num(s.sd),
                "item_total_r": None if s.item_total_r is None else _num(s.item_total_r),
            }
            for item_id, s in zip(ids, result.items, strict=True)
        ],
    }


def _num(value: float) -> float:
    return round(value, 4)
