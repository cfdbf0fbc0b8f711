"""Validity of answer sets: answered too fast, carelessly, inconsistently, or to impress?

`assess` judges a matrix of answer sets (the bench judges 100,000 at once); `check_validity`
turns one row into the flags of a result. Each index is judged only when the instrument sets
its threshold and, for the norm-referenced ones, the norm table carries validity norms.
Impression management and uniformly favourable answers are cautions, never `invalid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from app.instrument.model import ValidityThresholds
from app.scoring import careless
from app.scoring.norming import ratio
from app.scoring.plan import NA_CODE, FloatArray, NormPlan, ScoringPlan
from app.scoring.result import Level, Status, Validity, ValidityFlag

IntArray = NDArray[np.int64]

MIN_PAIRS = 3
"""Answered consistency pairs needed before inconsistency is judged at all."""
COMPLETE_SHARE = 0.90
"""Below this share of answered items the result carries an `incomplete` caution."""
NONE, CAUTION, INVALID = 0, 1, 2
LEVELS: dict[int, Level] = {CAUTION: "caution", INVALID: "invalid"}
STATUSES: tuple[Status, ...] = ("valid", "caution", "invalid")

CARELESS_INDICES = (
    "too_fast",
    "fast_pages",
    "long_string",
    "inconsistent",
    "even_odd",
    "person_total",
    "mahalanobis",
    "synonyms",
    "antonyms",
)
"""The flags of careless answering; the others are faking good and gaps."""
FAKING_INDICES = ("uniformly_favourable", "impression_management")


@dataclass(frozen=True, eq=False)
class ValidityArrays:
    """The indices judged (flag codes, in flag order), their values (rows × indices, NaN: not
    judged) and levels (0 none, 1 caution, 2 invalid)."""

    codes: tuple[str, ...]
    value_matrix: FloatArray
    level_matrix: IntArray

    @property
    def values(self) -> dict[str, FloatArray]:
        return {code: self.value_matrix[:, k] for k, code in enumerate(self.codes)}

    @property
    def levels(self) -> dict[str, IntArray]:
        return {code: self.level_matrix[:, k] for k, code in enumerate(self.codes)}

    @property
    def status(self) -> IntArray:
        """0 valid, 1 caution, 2 invalid per row: the worst level of any index."""
        return np.asarray(self.level_matrix.max(axis=1), dtype=np.int64)


def _median_seconds(codes: FloatArray, seconds: FloatArray) -> FloatArray:
    """Per row the median seconds of the answered, timed items (NaN: none timed)."""
    timed = np.sort(np.where(~np.isnan(codes), seconds, np.nan), axis=1)  # NaN sorts last
    count = (~np.isnan(timed)).sum(axis=1)
    rows = np.arange(len(timed))
    low, high = np.maximum((count - 1) // 2, 0), count // 2
    return np.where(count > 0, (timed[rows, low] + timed[rows, high]) / 2.0, np.nan)


def _pair_gaps(plan: ScoringPlan, scores: FloatArray) -> FloatArray:
    if not len(plan.pair_columns):
        return np.full(scores.shape[0], np.nan)
    gaps = np.abs(scores[:, plan.pair_columns[:, 0]] - scores[:, plan.pair_columns[:, 1]])
    both = (~np.isnan(gaps)).sum(axis=1)
    mean = ratio(np.where(np.isnan(gaps), 0.0, gaps).sum(axis=1), both)
    return np.where(both >= MIN_PAIRS, mean, np.nan)


def _impression(
    plan: ScoringPlan, limits: ValidityThresholds, norms: NormPlan, codes: FloatArray
) -> tuple[FloatArray, float | None]:
    """The impression-management value and its caution threshold: norm-referenced (a z) where
    the instrument and its norms allow, else the count of items endorsed at the keyed extreme;
    a caution either way, never invalid."""
    reference = norms.validity
    if _impression_normed(limits, norms):
        assert reference is not None
        assert reference.impression_mean is not None and reference.impression_sd is not None
        score = careless.impression_score(plan, codes)
        z = (score - reference.impression_mean) / reference.impression_sd
        return z, limits.impression_caution_z
    if not len(plan.impression_columns):
        return np.full(codes.shape[0], np.nan), None
    claimed = (codes[:, plan.impression_columns] == plan.impression_extreme).sum(axis=1)
    return claimed.astype(np.float64), float(limits.impression_caution)


def _impression_normed(limits: ValidityThresholds, norms: NormPlan) -> bool:
    reference = norms.validity
    return (
        limits.impression_caution_z is not None
        and reference is not None
        and reference.impression_mean is not None
        and reference.impression_sd is not None
    )


Rule = tuple[str, float | None, float | None, bool]
"""An index's flag code, caution and invalid thresholds (None: no such level), and whether a
low value is the bad one."""


def _levels(values: FloatArray, rules: list[Rule]) -> IntArray:
    """0, 1 (caution) or 2 (invalid) per row and index; NaN (not judged) is 0. The instrument
    checks that the invalid threshold is the stricter one, so an invalid value also passes
    the caution threshold and the two comparisons add up."""
    caution = np.asarray([np.nan if r[1] is None else r[1] for r in rules], dtype=np.float64)
    invalid = np.asarray([np.nan if r[2] is None else r[2] for r in rules], dtype=np.float64)
    low = np.asarray([r[3] for r in rules])
    level = np.where(low, values < caution, values >= caution).astype(np.int64)
    return level + np.where(low, values < invalid, values >= invalid)  # NaN compares False


def assess(
    plan: ScoringPlan,
    limits: ValidityThresholds,
    norms: NormPlan,
    codes: FloatArray,
    scores: FloatArray,
    seconds: FloatArray,
    page_matrix: FloatArray | None = None,
) -> ValidityArrays:
    """Every validity index of n answer sets (answer codes, item scores, seconds per item);
    `page_matrix`: the pages the answers were given on, when not the standard ones."""
    clean = np.where(codes == NA_CODE, np.nan, codes)  # "does not apply" as missing
    columns: list[FloatArray] = []
    rules: list[Rule] = []

    def index(
        code: str, value: FloatArray, caution: float | None, invalid: float | None, low_is_bad: bool
    ) -> None:
        columns.append(value)
        rules.append((code, caution, invalid, low_is_bad))

    v = limits
    index(
        "too_fast",
        _median_seconds(codes, seconds),
        v.caution_seconds_per_item,
        v.invalid_seconds_per_item,
        True,
    )
    if v.fast_pages_caution is not None:
        fast = careless.fast_pages(plan, seconds, v.page_seconds_per_item, page_matrix)
        index("fast_pages", fast, v.fast_pages_caution, v.fast_pages_invalid, False)
    run, _ = careless.longest_runs(clean, plan.longstring_columns)
    index("long_string", run, v.longstring_caution, v.longstring_invalid, False)
    index(
        "inconsistent",
        _pair_gaps(plan, scores),
        v.inconsistency_caution,
        v.inconsistency_invalid,
        False,
    )

    # The correlation indices (judged only with a threshold) in one pass.
    correlations = {
        "even_odd": (v.even_odd_caution, None, True),
        "person_total": (v.person_total_caution, v.person_total_invalid, True),
        "synonyms": (v.synonyms_caution, None, True),
        "antonyms": (v.antonyms_caution, None, False),
    }
    wanted = {code for code, (caution, _, _) in correlations.items() if caution is not None}
    found = careless.correlation_indices(plan, norms.validity, clean, scores, wanted)
    for code in ("even_odd", "person_total"):
        if code in found:
            index(code, found[code], *correlations[code])
    if norms.validity is not None and v.mahalanobis_caution is not None:
        distance = careless.mahalanobis(norms.validity, clean)
        index("mahalanobis", distance, v.mahalanobis_caution, v.mahalanobis_invalid, False)
    for code in ("synonyms", "antonyms"):
        if code in found:
            index(code, found[code], *correlations[code])

    if v.favourable_caution is not None:
        share = careless.favourable_share(plan, scores)
        index("uniformly_favourable", share, v.favourable_caution, None, False)
    impression, caution = _impression(plan, limits, norms, clean)
    index("impression_management", impression, caution, None, False)
    done = (~np.isnan(codes)).sum(axis=1) / codes.shape[1]
    index("incomplete", done, COMPLETE_SHARE, None, True)

    values = np.stack(columns, axis=1)
    return ValidityArrays(tuple(rule[0] for rule in rules), values, _levels(values, rules))


def _detail(
    code: str,
    value: float,
    plan: ScoringPlan,
    limits: ValidityThresholds,
    clean: FloatArray,
    page_count: int,
) -> str:
    """The sentence a report prints for a flag."""
    if code == "too_fast":
        return (
            f"Median {value:.1f} seconds per item (expected at least "
            f"{limits.caution_seconds_per_item:g}): statements may not have been read."
        )
    if code == "fast_pages":
        return (
            f"{int(value)} of {page_count} pages answered in under "
            f"{limits.page_seconds_per_item:g} seconds per item: statements answered that fast "
            "cannot have been read."
        )
    if code == "long_string":
        run, start = careless.longest_runs(clean[None, :], plan.longstring_columns)
        first = plan.item_ids[plan.longstring_columns[int(start[0])]]
        last = plan.item_ids[plan.longstring_columns[int(start[0] + run[0]) - 1]]
        return f"{int(value)} identical answers in a row (items {first} to {last})."
    if code == "inconsistent":
        pairs = int((~np.isnan(clean[plan.pair_columns]).any(axis=1)).sum())
        return (
            f"Statements saying nearly the same thing were answered {value:.2f} scale "
            f"points apart on average ({pairs} pairs)."
        )
    if code == "incomplete":
        total = len(clean)
        return f"{round(value * total)} of {total} items answered ({round(100 * value)} %)."
    return _SENTENCES[code].format(value=value, limits=limits)


_SENTENCES = {
    "even_odd": (
        "The two halves of each competency's statements were answered unlike each other "
        "(even-odd consistency {value:.2f}, expected at least {limits.even_odd_caution:.2f}): "
        "signs of careless answering."
    ),
    "person_total": (
        "The answers do not follow the pattern of agreement most people show (person-total "
        "correlation {value:.2f}, expected at least {limits.person_total_caution:.2f}): signs "
        "of careless or random answering."
    ),
    "mahalanobis": (
        "The answer pattern is far from anything the norm group shows (Mahalanobis distance, "
        "z = {value:.1f}; expected below {limits.mahalanobis_caution:.1f}): signs of careless "
        "or random answering."
    ),
    "synonyms": (
        "Statements most people answer alike were answered differently (synonym correlation "
        "{value:.2f}, expected at least {limits.synonyms_caution:.2f})."
    ),
    "antonyms": (
        "Statements most people answer oppositely were answered alike (antonym correlation "
        "{value:.2f}, expected at most {limits.antonyms_caution:.2f})."
    ),
    "uniformly_favourable": (
        "{value:.0%} of the statements were answered at the favourable end, more than nearly "
        "anyone in the norm group: the answers may describe an ideal rather than habits."
    ),
}


def _impression_detail(value: float, plan: ScoringPlan, normed: bool) -> str:
    if normed:
        return (
            f"The statements about rare virtues were endorsed more strongly than by about "
            f"{_share_above(value)} of the norm group (z = {value:.1f}): the answers may "
            "describe an ideal, not habits. Read the strengths with care."
        )
    return (
        f"{int(value)} of {len(plan.impression_columns)} statements about rare virtues were "
        "endorsed at the extreme: the answers may describe an ideal, not habits."
    )


def _share_above(z: float) -> str:
    return f"{NormalDist().cdf(z):.0%}"


def check_validity(
    plan: ScoringPlan,
    limits: ValidityThresholds,
    norms: NormPlan,
    codes: FloatArray,
    scores: FloatArray,
    seconds: FloatArray,
    page_matrix: FloatArray | None = None,
) -> Validity:
    """The validity of one answer set (1-D rows of answer codes, item scores and seconds);
    `page_matrix`: the pages it was answered on (plan.page_matrix_of), if not the standard."""
    matrix = plan.page_matrix if page_matrix is None else page_matrix
    arrays = assess(plan, limits, norms, codes[None, :], scores[None, :], seconds[None, :], matrix)
    values: list[float] = arrays.value_matrix[0].tolist()
    levels: list[int] = arrays.level_matrix[0].tolist()
    flags: list[ValidityFlag] = []
    for code, value, level in zip(arrays.codes, values, levels, strict=True):
        if level == NONE:
            continue
        if code == "impression_management":
            detail = _impression_detail(value, plan, _impression_normed(limits, norms))
        else:
            clean = np.where(codes == NA_CODE, np.nan, codes)
            detail = _detail(code, value, plan, limits, clean, matrix.shape[1])
        flags.append(ValidityFlag(code, LEVELS[level], detail))
    indices = {
        code: None if value != value else round(value, 3)  # value != value: NaN
        for code, value in zip(arrays.codes, values, strict=True)
    }
    return Validity(STATUSES[max(levels)], tuple(flags), indices)
