"""The careless-responding indices, each against an independent computation or a hand value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.instrument.loader import load_instrument
from app.instrument.model import Instrument, LikertItem
from app.instrument.presentation import presentation_order
from app.scoring import careless
from app.scoring.batch import item_scores
from app.scoring.plan import FloatArray, ScoringPlan, norms_for, plan_for
from app.scoring.simulate import simulate_matrix

REAL = Path(__file__).parents[2] / "questionnaires" / "sales-process-inventory-1.1.yaml"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument(REAL)


@pytest.fixture(scope="module")
def plan(instrument: Instrument) -> ScoringPlan:
    return plan_for(instrument)


@pytest.fixture(scope="module")
def codes(instrument: Instrument, plan: ScoringPlan) -> FloatArray:
    """Five simulated attentive respondents, with a few answers missing."""
    matrix = simulate_matrix(instrument, 5, seed=3).columns(plan.item_ids)
    matrix[1, [0, 7, 30]] = np.nan
    return matrix


def test_row_correlation_is_pearson_over_the_positions_both_answered() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 12)), rng.normal(size=(4, 12))
    a[0, 3], b[2, 5] = np.nan, np.nan
    r, count = careless.row_correlation(a, b)
    for row in range(4):
        ok = ~np.isnan(a[row]) & ~np.isnan(b[row])
        assert r[row] == pytest.approx(np.corrcoef(a[row, ok], b[row, ok])[0, 1])
        assert count[row] == ok.sum()
    flat, _ = careless.row_correlation(np.ones((1, 5)), np.arange(5.0)[None, :])
    assert np.isnan(flat[0])  # a side that does not vary has no correlation


def test_even_odd_correlates_the_half_scales_across_competencies(
    instrument: Instrument, plan: ScoringPlan, codes: FloatArray
) -> None:
    scores = item_scores(plan, codes)
    got = careless.even_odd(plan, scores)
    # Independently: per competency its Likert items in the order shown, 1st/3rd/5th vs
    # 2nd/4th, the mean of each half, correlated, stepped up by Spearman-Brown.
    kind = {item.id: item for item in instrument.items}
    order = [i for i in presentation_order(instrument) if isinstance(kind[i], LikertItem)]
    for row in range(len(codes)):
        odd, even = [], []
        for competency in instrument.competencies:
            ids = [i for i in order if kind[i].competency == competency.key]  # type: ignore[union-attr]
            values = [scores[row, plan.column[i]] for i in ids]
            odd.append(np.nanmean(values[0::2]))
            even.append(np.nanmean(values[1::2]))
        r = np.corrcoef(odd, even)[0, 1]
        assert got[row] == pytest.approx(2 * r / (1 + r))


def test_person_total_correlates_with_the_norm_groups_item_means(
    instrument: Instrument, plan: ScoringPlan, codes: FloatArray
) -> None:
    reference = instrument.norms.validity
    assert reference is not None
    scores = item_scores(plan, codes)
    got = careless.person_total(norms_for(instrument).validity, scores)  # type: ignore[arg-type]
    keyed = {i.id: i.keyed for i in instrument.items if isinstance(i, LikertItem)}
    pairs = zip(reference.items, reference.mean, strict=True)
    means = [m if keyed[i] == "+" else 6 - m for i, m in pairs]
    for row in range(len(codes)):
        mine = np.asarray([scores[row, plan.column[i]] for i in reference.items])
        ok = ~np.isnan(mine)
        assert got[row] == pytest.approx(np.corrcoef(mine[ok], np.asarray(means)[ok])[0, 1])


def test_mahalanobis_is_d2_over_the_answered_items_as_a_z(
    instrument: Instrument, plan: ScoringPlan, codes: FloatArray
) -> None:
    reference = instrument.norms.validity
    assert reference is not None
    k = len(reference.items)
    r = np.eye(k)
    for row, values in enumerate(reference.correlation, start=1):
        r[row, :row] = r[:row, row] = values
    covariance = r * np.outer(reference.sd, reference.sd)
    got = careless.mahalanobis(norms_for(instrument).validity, codes)  # type: ignore[arg-type]
    for row in (0, 1):  # complete, and with three answers missing
        x = np.asarray([codes[row, plan.column[i]] for i in reference.items]) - reference.mean
        ok = ~np.isnan(x)
        d2 = x[ok] @ np.linalg.solve(covariance[np.ix_(ok, ok)], x[ok])
        df = ok.sum()
        wh = ((d2 / df) ** (1 / 3) - (1 - 2 / (9 * df))) / np.sqrt(2 / (9 * df))
        assert got[row] == pytest.approx(wh)


@pytest.mark.parametrize("df", [20, 60, 105])
def test_wilson_hilferty_puts_the_chi2_95th_percentile_near_z_1_645(df: int) -> None:
    from scipy.stats import chi2  # here: a second to import, for this test only

    z = careless.wilson_hilferty(np.asarray([chi2.ppf(0.95, df)]), np.asarray([float(df)]))
    assert z[0] == pytest.approx(1.645, abs=0.01)


def test_synonyms_and_antonyms_correlate_the_pairs_raw_answers(
    instrument: Instrument, plan: ScoringPlan, codes: FloatArray
) -> None:
    reference = instrument.norms.validity
    assert reference is not None and len(reference.synonyms) >= careless.MIN_PAIRS
    compiled = norms_for(instrument).validity
    assert compiled is not None
    for pairs, compiled_pairs in (
        (reference.synonyms, compiled.synonyms),
        (reference.antonyms, compiled.antonyms),
    ):
        got = careless.pair_correlation(codes, compiled_pairs)
        a = np.asarray([codes[0, plan.column[x]] for x, _ in pairs])
        b = np.asarray([codes[0, plan.column[y]] for _, y in pairs])
        assert got[0] == pytest.approx(np.corrcoef(a, b)[0, 1])
    # The norm group answers synonyms alike and antonyms oppositely.
    assert all(p in reference.items for pair in reference.synonyms for p in pair)


def test_the_correlation_indices_in_one_pass_equal_each_alone(
    instrument: Instrument, plan: ScoringPlan, codes: FloatArray
) -> None:
    reference = norms_for(instrument).validity
    assert reference is not None
    scores = item_scores(plan, codes)
    together = careless.correlation_indices(
        plan, reference, codes, scores, {"even_odd", "person_total", "synonyms", "antonyms"}
    )
    alone = {
        "even_odd": careless.even_odd(plan, scores),
        "person_total": careless.person_total(reference, scores),
        "synonyms": careless.pair_correlation(codes, reference.synonyms),
        "antonyms": careless.pair_correlation(codes, reference.antonyms),
    }
    for name, values in alone.items():
        np.testing.assert_allclose(together[name], values)


def test_fast_pages_counts_pages_under_the_limit_per_item(plan: ScoringPlan) -> None:
    seconds = np.full((3, len(plan.item_ids)), 6.0)
    first, second = plan.page_columns[0], plan.page_columns[1]
    seconds[0, first] = 1.5  # page 1 at 1.5 s per item: fast
    seconds[0, second[0]] = 0.5  # page 2: one quick item among slow ones, 6 s on average
    seconds[1] = np.nan  # no times: not judged
    seconds[2, :] = 1.0  # every page fast
    seconds[2, first] = np.nan  # ... but page 1 untimed
    fast = careless.fast_pages(plan, seconds, 2.0)
    assert fast[0] == 1 and np.isnan(fast[1])
    assert fast[2] == len(plan.page_columns) - 1


def test_longest_runs_in_order_with_gaps_breaking_them() -> None:
    codes = np.asarray(
        [
            [3, 3, 3, 1, 1, np.nan, 1, 1, 1, 1],
            [2, 2, np.nan, 2, 2, 5, 5, 5, 4, 4],
            [np.nan] * 10,
        ]
    )
    run, start = careless.longest_runs(codes, np.arange(10))
    assert run.tolist() == [4, 3, 0] and start[:2].tolist() == [6, 5]


def test_favourable_share_and_impression_score(plan: ScoringPlan, instrument: Instrument) -> None:
    codes = np.full((2, len(plan.item_ids)), np.nan)
    likert = [i for i in instrument.items if isinstance(i, LikertItem)]
    for item in likert:  # 4 on + keyed, 2 on − keyed: item score 4 everywhere → favourable
        codes[0, plan.column[item.id]] = 4 if item.keyed == "+" else 2
        codes[1, plan.column[item.id]] = 3
    share = careless.favourable_share(plan, item_scores(plan, codes))
    assert share.tolist() == [1.0, 0.0]
    impression = [i for i in instrument.items if i.type == "impression"]
    for item in impression:
        codes[0, plan.column[item.id]] = 5  # keyed − items: 6 − 5 = 1
    codes[0, plan.column[impression[0].id]] = np.nan  # one missing: prorated over five
    plus = sum(1 for i in impression[1:] if i.keyed == "+")
    minus = len(impression) - 1 - plus
    expected = (5 * plus + 1 * minus) * len(impression) / (len(impression) - 1)
    assert careless.impression_score(plan, codes)[0] == pytest.approx(expected)
