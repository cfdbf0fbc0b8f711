"""Set the careless-responding thresholds of an instrument from simulated attentive respondents.

    .venv/bin/python scripts/calibrate_validity.py [INSTRUMENT]

Run after scripts/simulate_norms.py (the indices compare answers with the norm table's
validity norms). Draws N attentive respondents from the model of app/scoring/simulate.py with
a seed of its own, computes every index, and sets each threshold where it flags CAUTION_TAIL of
them (INVALID_TAIL at the invalid level), rounded towards flagging fewer. Impression
management cautions at most the top 5 % (its score is a whole number, so the threshold is the
lowest z that flags no more than that). The `validity:` block of the
instrument's `scoring:` section is rewritten in place; a rerun gives the same file. How many
attentive, random, racing, straight-lining and faking respondents are then flagged is measured
on fresh samples by `make bench` (bench/validity.py).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from app.errors import UserError
from app.instrument.loader import load_instrument
from app.instrument.model import Instrument, ValidityThresholds
from app.scoring import careless
from app.scoring.batch import item_scores
from app.scoring.plan import FloatArray, norms_for, plan_for
from app.scoring.simulate import simulate_matrix
from app.scoring.validity import assess

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTRUMENT = ROOT / "questionnaires" / "sales-process-inventory-1.1.yaml"
SEED = 20261202
N = 20_000
CAUTION_TAIL = 0.01
"""Share of attentive respondents each careless-responding index may caution: with six such
indices and impression management at most 5 %, under 10 % of attentive respondents are flagged
(the issue allows 5 % per index and 10 % in all)."""
INVALID_TAIL = 0.001
IMPRESSION_TAIL = 0.05
"""Impression management is a caution for at most the top 5 % of the norm group."""
FAST_PAGES = (1, 4)
"""Huang et al. (2012): under 2 s per item a page was not read; one such page is a caution,
four (a third of the statement pages) make the result invalid."""


def _values(instrument: Instrument) -> dict[str, FloatArray]:
    plan = plan_for(instrument)
    reference = norms_for(instrument).validity
    if reference is None:
        raise UserError("the instrument's norm table has no validity norms: run simulate_norms")
    sim = simulate_matrix(instrument, N, SEED)
    codes = sim.columns(plan.item_ids)
    scores = item_scores(plan, codes)
    return {
        "even_odd": careless.even_odd(plan, scores),
        "person_total": careless.person_total(reference, scores),
        "mahalanobis": careless.mahalanobis(reference, codes),
        "synonyms": careless.pair_correlation(codes, reference.synonyms),
        "antonyms": careless.pair_correlation(codes, reference.antonyms),
        "favourable": careless.favourable_share(plan, scores),
        "impression": (careless.impression_score(plan, codes) - reference.impression_mean)
        / reference.impression_sd
        if reference.impression_mean is not None and reference.impression_sd
        else np.full(len(codes), np.nan),
    }


def _low(values: FloatArray, tail: float, digits: int) -> float:
    """Below this a share `tail` of values lies (rounded down: flags no more than that)."""
    q = float(np.nanquantile(values, tail))
    return math.floor(q * 10**digits) / 10**digits


def _high(values: FloatArray, tail: float, digits: int) -> float:
    q = float(np.nanquantile(values, 1.0 - tail))
    return math.ceil(q * 10**digits) / 10**digits


def _high_discrete(values: FloatArray, tail: float, digits: int) -> float:
    """The lowest of the values observed that at most `tail` of them reach (for scores that
    take few values, where a quantile would flag a whole tied group)."""
    x = values[~np.isnan(values)]
    for u in np.unique(x):
        if np.mean(x >= u) <= tail:
            return math.floor(float(u) * 10**digits) / 10**digits
    return math.ceil(float(x.max()) * 10**digits) / 10**digits + 10**-digits


def thresholds(instrument: Instrument) -> ValidityThresholds:
    v = _values(instrument)
    current = instrument.scoring.validity
    return current.model_copy(
        update={
            "fast_pages_caution": FAST_PAGES[0],
            "fast_pages_invalid": FAST_PAGES[1],
            "even_odd_caution": _low(v["even_odd"], CAUTION_TAIL, 2),
            "person_total_caution": _low(v["person_total"], CAUTION_TAIL, 2),
            "person_total_invalid": _low(v["person_total"], INVALID_TAIL, 2),
            "mahalanobis_caution": _high(v["mahalanobis"], CAUTION_TAIL, 1),
            "mahalanobis_invalid": _high(v["mahalanobis"], INVALID_TAIL, 1),
            "synonyms_caution": _low(v["synonyms"], CAUTION_TAIL, 2),
            "antonyms_caution": _high(v["antonyms"], CAUTION_TAIL, 2),
            "favourable_caution": _high(v["favourable"], CAUTION_TAIL, 2),
            "impression_caution_z": _high_discrete(v["impression"], IMPRESSION_TAIL, 2),
        }
    )


def flagged_share(instrument: Instrument, limits: ValidityThresholds) -> float:
    """Share of the calibration sample any flag is raised for (timings included)."""
    plan = plan_for(instrument)
    sim = simulate_matrix(instrument, N, SEED)
    codes = sim.columns(plan.item_ids)
    index = {item_id: k for k, item_id in enumerate(sim.item_ids)}
    seconds = sim.seconds[:, [index[i] for i in plan.item_ids]]
    status = assess(
        plan, limits, norms_for(instrument), codes, item_scores(plan, codes), seconds
    ).status
    return float(np.mean(status > 0))


FIELDS = (
    "caution_seconds_per_item",
    "invalid_seconds_per_item",
    "page_seconds_per_item",
    "fast_pages_caution",
    "fast_pages_invalid",
    "longstring_caution",
    "longstring_invalid",
    "even_odd_caution",
    "person_total_caution",
    "person_total_invalid",
    "mahalanobis_caution",
    "mahalanobis_invalid",
    "synonyms_caution",
    "antonyms_caution",
    "favourable_caution",
    "impression_caution",
    "impression_invalid",
    "impression_caution_z",
)


def validity_block(limits: ValidityThresholds, overall: float) -> str:
    basis = (
        f"scripts/calibrate_validity.py: {N} simulated attentive respondents (seed {SEED}); "
        f"each careless-responding index cautions {CAUTION_TAIL:.1%} of them and invalidates "
        f"{INVALID_TAIL:.1%}; impression management cautions at most the top "
        f"{IMPRESSION_TAIL:.0%}; "
        f"{overall:.1%} of these respondents get a flag of any kind."
    )
    lines = ["  validity:"]
    lines += [f"    {name}: {getattr(limits, name)!r}" for name in FIELDS]
    lines.append(f'    basis: "{basis}"')
    return "\n".join(lines) + "\n"


def replace_validity_block(text: str, block: str, name: str) -> str:
    """`text` with the `validity:` block of its `scoring:` section replaced by `block`."""
    lines = text.splitlines(keepends=True)
    scoring = next((k for k, line in enumerate(lines) if line.rstrip() == "scoring:"), None)
    if scoring is None:
        raise UserError(f"{name}:1: no top-level `scoring:` section")
    section_end = next(
        (k for k in range(scoring + 1, len(lines)) if lines[k][:1] not in (" ", "\n", "#")),
        len(lines),
    )
    starts = [k for k in range(scoring, section_end) if lines[k].rstrip() == "  validity:"]
    if len(starts) != 1:
        raise UserError(f"{name}:{scoring + 1}: expected one `validity:` block under scoring")
    start = end = starts[0]
    end += 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    return "".join(lines[:start]) + block + "".join(lines[end:])


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_INSTRUMENT
    try:
        instrument = load_instrument(path)
        limits = thresholds(instrument)
        overall = flagged_share(instrument, limits)
        original = path.read_text(encoding="utf-8")
        updated = replace_validity_block(original, validity_block(limits, overall), str(path))
        path.write_text(updated, encoding="utf-8")
        try:
            load_instrument(path)
        except UserError:
            path.write_text(original, encoding="utf-8")  # never leave a broken instrument
            raise
    except UserError as exc:
        print(f"calibrate_validity: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: validity thresholds written ({overall:.1%} of attentive respondents flagged)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
