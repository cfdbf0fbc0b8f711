"""Scores you can defend: how often the validity checks flag simulated attentive, random,
racing, straight-lining and faking respondents; the summary score's median in the norm
simulation; and how often two parallel administrations agree on the best stage.

Every figure comes from fresh simulated samples (seeds below, none used to set a threshold or
a norm) of the newest instrument, and is written to docs/methodology.md §11.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.instrument.loader import load_instrument
from app.instrument.model import Instrument
from app.scoring.batch import ScoreArrays, item_scores, score_batch
from app.scoring.norming import sem_z
from app.scoring.plan import FloatArray, norms_for, plan_for
from app.scoring.response_styles import STYLES, parallel_administrations
from app.scoring.simulate import SimulatedAnswers, simulate_matrix
from app.scoring.validity import CARELESS_INDICES, FAKING_INDICES, ValidityArrays, assess
from bench import ROOT, machine, table, write_section

METHODOLOGY = ROOT / "docs" / "methodology.md"
SECTION = "11. Evidence: what the simulation shows"
SEED = 20261215
ATTENTIVE_N = 20_000
STYLE_N = 5_000
PARALLEL_N = 20_000
NORM_N = 20_000


def newest() -> tuple[Path, Instrument]:
    paths = sorted((ROOT / "questionnaires").glob("sales-process-inventory-*.yaml"))
    return paths[-1], load_instrument(paths[-1])


def _judge(instrument: Instrument, sim: SimulatedAnswers) -> ValidityArrays:
    plan = plan_for(instrument)
    codes = sim.columns(plan.item_ids)
    index = {item_id: k for k, item_id in enumerate(sim.item_ids)}
    seconds = sim.seconds[:, [index[i] for i in plan.item_ids]]
    return assess(
        plan,
        instrument.scoring.validity,
        norms_for(instrument),
        codes,
        item_scores(plan, codes),
        seconds,
    )


def _share(mask: np.ndarray) -> str:
    return f"{100 * float(np.mean(mask)):.1f} %"


GROUPS = (
    ("attentive", "attentive respondents (the model)", "≤ 10 % flagged"),
    ("random", "random answers, normal pace", "≥ 90 % flagged"),
    ("straight", "straight-liners (one point throughout)", "100 % flagged"),
    ("racing", "racers (random, ~1 s per item)", "100 % flagged"),
    ("moderate_faker", "moderate fakers (4–5 / 1–2, mid impression, longest option)", "≥ 50 %"),
    ("inflating_faker", "honest answers one point more favourable", "no target"),
    ("post_sale_only", 'attentive, post-sale work only ("does not apply" to pre-sale)', "—"),
)


def _met(key: str, flagged: float) -> str:
    rule = {
        "attentive": flagged <= 0.10,
        "random": flagged >= 0.90,
        "straight": flagged >= 1.0,
        "racing": flagged >= 1.0,
        "moderate_faker": flagged >= 0.50,
    }.get(key)
    return "" if rule is None else ("met" if rule else "MISSED")


def validity_rows(instrument: Instrument) -> tuple[list[list[str]], list[list[str]]]:
    samples = {"attentive": simulate_matrix(instrument, ATTENTIVE_N, SEED)}
    for k, key in enumerate(STYLES):
        samples[key] = STYLES[key](instrument, STYLE_N, SEED + 1 + k)
    rows, index_rows = [], []
    for key, label, target in GROUPS:
        judged = _judge(instrument, samples[key])
        status = judged.status
        careless = np.stack([judged.levels[c] > 0 for c in CARELESS_INDICES if c in judged.levels])
        faking = np.stack([judged.levels[c] > 0 for c in FAKING_INDICES if c in judged.levels])
        flagged = float(np.mean(status > 0))
        rows.append(
            [
                label,
                f"{len(status):,}",
                _share(status > 0),
                _share(status == 2),
                _share(careless.any(axis=0)),
                _share(faking.any(axis=0)),
                target,
                _met(key, flagged),
            ]
        )
        if key == "attentive":
            for code, levels in judged.levels.items():
                if code in ("incomplete", "inconsistent") and not (levels > 0).any():
                    continue
                index_rows.append([code, _share(levels > 0), _share(levels == 2)])
    return rows, index_rows


def _top(arrays: ScoreArrays) -> np.ndarray:
    return np.asarray(arrays.stage_top)


MARGINS = (1.0, 1.28, 1.645, 2.0)
"""Best-fit margins (in standard errors of the difference) shown for comparison."""


def best_fit_rows(instrument: Instrument) -> tuple[list[list[str]], list[list[str]]]:
    plan = plan_for(instrument)
    first, second = parallel_administrations(instrument, PARALLEL_N, SEED + 50)
    a = score_batch(instrument, first.columns(plan.item_ids))
    b = score_batch(instrument, second.columns(plan.item_ids))
    same_top = _top(a) == _top(b)
    clear = a.best_fit_clear
    both = clear & b.best_fit_clear
    agreement = float(np.mean(same_top[clear]))
    rows = [
        [
            "top-ranked stage the same in both administrations (all respondents)",
            _share(same_top),
            "reported",
        ],
        ["a clear best stage reported (first administration)", _share(clear), ""],
        [
            "where a clear best is reported: the second administration ranks it first",
            _share(same_top[clear]),
            f"≥ 80 %: {'met' if agreement >= 0.80 else 'MISSED'}",
        ],
        [
            "where both report a clear best: it is the same stage",
            _share(same_top[both]) if both.any() else "—",
            "",
        ],
    ]
    # The same data under other margins: why the instrument's margin is what it is.
    order = np.argsort(np.where(np.isnan(a.stage_z), np.inf, -a.stage_z), axis=1)
    n = np.arange(len(order))
    lead = a.stage_z[n, order[:, 0]] - a.stage_z[n, order[:, 1]]
    sem = sem_z(norms_for(instrument).stage_reliability)
    se = np.sqrt(sem[order[:, 0]] ** 2 + sem[order[:, 1]] ** 2)
    sweep = []
    for margin in MARGINS:
        with np.errstate(invalid="ignore"):
            claimed = lead > margin * se
        mark = " (this instrument)" if margin == instrument.scoring.best_fit_margin else ""
        sweep.append(
            [f"{margin:g} × SE of the difference{mark}", _share(claimed), _share(same_top[claimed])]
        )
    return rows, sweep


def summary_rows(instrument: Instrument) -> list[list[str]]:
    plan = plan_for(instrument)
    sim = simulate_matrix(instrument, NORM_N, SEED + 60)
    arrays = score_batch(instrument, sim.columns(plan.item_ids))
    summary: FloatArray = arrays.summary_percentile
    old = np.nanmax(arrays.stage_percentile, axis=1)  # engine 1: the best stage's percentile
    pre, post = arrays.phase_sten[:, 0], arrays.phase_sten[:, 1]
    median = float(np.nanmedian(summary))
    return [
        [
            "summary score (normed highest stage)",
            f"{median:.0f}",
            _share(summary >= 50),
            "median 50 ± 3",
            "met" if abs(median - 50) <= 3 else "MISSED",
        ],
        [
            "engine 1 headline (highest stage's own percentile)",
            f"{float(np.nanmedian(old)):.0f}",
            _share(old >= 50),
            "rejected",
            "",
        ],
        [
            "pre-sale phase fit, sten",
            f"{float(np.nanmedian(pre)):.0f} (mean {float(np.nanmean(pre)):.2f})",
            _share(pre >= 6),
            "mean 5.5",
            "",
        ],
        [
            "post-sale phase fit, sten",
            f"{float(np.nanmedian(post)):.0f} (mean {float(np.nanmean(post)):.2f})",
            _share(post >= 6),
            "mean 5.5",
            "",
        ],
    ]


def run() -> None:
    path, instrument = newest()
    rows, index_rows = validity_rows(instrument)
    validity = table(
        [
            "respondents",
            "n",
            "flagged",
            "invalid",
            "careless flag",
            "faking flag",
            "target",
            "",
        ],
        rows,
    )
    indices = table(["index (attentive respondents)", "flagged", "invalid"], index_rows)
    fit_rows, sweep_rows = best_fit_rows(instrument)
    fits = table(["best fit, two parallel administrations", "share", "target"], fit_rows)
    sweep = table(["lead needed for a clear best", "clear best", "same top stage"], sweep_rows)
    summary = table(
        ["norm simulation", "median", "≥ 50 (sten ≥ 6)", "target", ""], summary_rows(instrument)
    )
    print("\n\n".join([validity, indices, fits, sweep, summary]))
    rel = path.relative_to(ROOT)
    body = (
        "Written by `make bench` (`.venv/bin/python -m bench validity`); do not edit by hand. "
        f"Instrument `{rel}`. Every sample is drawn afresh (seed {SEED} onwards) from the "
        "simulation model (app/scoring/simulate.py, app/scoring/response_styles.py); none was "
        "used to set a threshold (scripts/calibrate_validity.py) or a norm "
        "(scripts/simulate_norms.py). *Flagged* is caution or invalid; *careless flag* counts "
        "too fast, fast pages, long string, inconsistency, even-odd, person-total, "
        "Mahalanobis, synonyms and antonyms; *faking flag* uniformly favourable answers and "
        "impression management.\n\n"
        f"{validity}\n\n{indices}\n\n"
        "Best fit: the same simulated people answer twice (same true scores, fresh answering "
        "noise), so any disagreement is measurement error alone.\n\n"
        f"{fits}\n\nThe same administrations under other margins:\n\n{sweep}\n\n"
        f"Summary score and phase fit on {NORM_N:,} fresh respondents of the norm model:\n\n"
        f"{summary}\n\n{machine()}."
    )
    write_section(SECTION, body, METHODOLOGY)
