"""Compute the provisional norms of the real instrument from simulated respondents, in place.

    .venv/bin/python scripts/simulate_norms.py [INSTRUMENT]

Draws N respondents from the generative model of app/scoring/simulate.py with a fixed seed,
scores them with the scoring engine, and rewrites the `norms:` block at the end of the
instrument file; every byte before that block stays as it was. Rerunning gives the same file.

Version 1.0 is in use and its norms came from the model as it was in November 2026 (before
items had an ease of their own), so the script refuses to rewrite it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import UserError
from app.instrument.loader import load_instrument
from app.instrument.model import NormExclusions
from app.scoring.norm_compute import compute_norms, norms_yaml
from app.scoring.plan import plan_for
from app.scoring.simulate import simulate_matrix

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INSTRUMENT = ROOT / "questionnaires" / "sales-process-inventory-1.1.yaml"
SEED = 20261201
N = 2000
FROZEN = {"1.0"}
"""Versions whose norms must not change: assessments use them."""
NORM_DATE = "2026-12-01"  # the day the simulation model was fixed; keeps reruns identical
LABEL = f"Simulated norms — no real respondents yet (n={N})"
SOURCE = (
    f"Simulation, not real respondents: {N} respondents drawn from the generative model of "
    f"app/scoring/simulate.py (seed {SEED}; docs/reliability-and-norms.md) and scored with "
    "the StageFit scoring engine. Replace with empirical norms (stagefit norms compute)."
)
POPULATION = "Simulated respondents of the StageFit answer model; no real salespeople yet."
COMPOSITION = f"{N} simulated attentive respondents; no organisations, roles or countries."
EXCLUSIONS = NormExclusions(
    considered=N, rule="none: every simulated respondent answers attentively by construction"
)


def norm_id(version: str) -> str:
    return f"provisional-sim-{version}-{NORM_DATE[:7]}"


def replace_norms_block(text: str, block: str, name: str) -> str:
    """`text` with its final top-level `norms:` block replaced by `block`."""
    lines = text.splitlines(keepends=True)
    starts = [k for k, line in enumerate(lines) if line.startswith("norms:")]
    if len(starts) != 1:
        raise UserError(f"{name}:1: expected one top-level `norms:` block, found {len(starts)}")
    start = starts[0]
    for k in range(start + 1, len(lines)):
        line = lines[k]
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            raise UserError(
                f"{name}:{k + 1}: `norms:` must be the last top-level block to be replaced"
            )
    return "".join(lines[:start]) + block


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_INSTRUMENT
    try:
        instrument = load_instrument(path)
        if instrument.version in FROZEN:
            raise UserError(
                f"{path}:1: version {instrument.version} is in use; its norms must not change"
            )
        simulated = simulate_matrix(instrument, N, SEED)
        table = compute_norms(
            instrument,
            simulated.columns(plan_for(instrument).item_ids),
            id=norm_id(instrument.version),
            label=LABEL,
            source=SOURCE,
            date=NORM_DATE,
            provisional=True,
            simulated=True,
            population=POPULATION,
            composition=COMPOSITION,
            exclusions=EXCLUSIONS,
        )
        original = path.read_text(encoding="utf-8")
        updated = replace_norms_block(original, norms_yaml(table), str(path))
        path.write_text(updated, encoding="utf-8")
        try:
            load_instrument(path)
        except UserError:
            path.write_text(original, encoding="utf-8")  # never leave a broken instrument
            raise
    except UserError as exc:
        print(f"simulate_norms: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: norms {table.id} (n={N}, seed {SEED}) written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
