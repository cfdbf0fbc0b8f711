"""Cross-reference checks of an instrument that its pydantic model cannot express.

Each check returns problems as (location, message); a location is a path into the YAML
document (keys and list indexes), which the loader turns into a line number.
"""

from __future__ import annotations

import math
import types
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from app.instrument.model import (
    Competency,
    ImpressionItem,
    Instrument,
    Item,
    LikertItem,
    LocalText,
    NormTable,
    SjtItem,
)
from app.instrument.process import BAND_KEYS, PRE_SALE, STAGE_KEYS

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

WEIGHT_TOLERANCE = 1e-6
STEN_MIN, STEN_MAX = 1, 10
BEST_SJT_SCORE = 3


def check_instrument(instrument: Instrument) -> list[Problem]:
    """Every cross-reference problem of a structurally valid instrument, in document order."""
    problems = [
        *_locales(instrument),
        *_scale(instrument),
        *_bands(instrument),
        *_scoring(instrument),
        *_stages(instrument),
        *_competencies(instrument),
        *_items(instrument),
        *_consistency_pairs(instrument),
        *(
            (("norms", *loc), msg)
            for loc, msg in check_norms_for(
                instrument.competencies, instrument.norms, instrument.items
            )
        ),
        *_texts(instrument, instrument.locales),
    ]
    return sorted(problems, key=lambda p: _order(p[0]))


def check_norms_for(
    competencies: Sequence[Competency], norms: NormTable, items: Sequence[Item] = ()
) -> list[Problem]:
    """A norm table must norm every competency and stage, and nothing else; its validity
    norms (when `items` are given) may name only the instrument's Likert items."""
    known = [c.key for c in competencies]
    problems: list[Problem] = []
    missing = [key for key in known if key not in norms.competencies]
    if missing:
        problems.append((("competencies",), f"no norms for competencies: {', '.join(missing)}"))
    problems += [
        (("competencies", key), f"norms for unknown competency {key!r}")
        for key in norms.competencies
        if key not in known
    ]
    missing = [key for key in STAGE_KEYS if key not in norms.stages]
    if missing:
        problems.append((("stages",), f"no norms for stages: {', '.join(missing)}"))
    if items and norms.validity is not None:
        problems += _validity_norms(norms, items)
    return problems


def _validity_norms(norms: NormTable, items: Sequence[Item]) -> Iterator[Problem]:
    assert norms.validity is not None
    likert = {i.id for i in items if isinstance(i, LikertItem)}
    listed = set(norms.validity.items)
    for k, item_id in enumerate(norms.validity.items):
        if item_id not in likert:
            yield ("validity", "items", k), f"{item_id!r} is not a Likert item of the instrument"
    for name in ("synonyms", "antonyms"):
        for k, pair in enumerate(getattr(norms.validity, name)):
            for j, item_id in enumerate(pair):
                if item_id not in listed:
                    yield (
                        ("validity", name, k, j),
                        f"{item_id!r} is not among validity.items",
                    )


# Top-level sections in file order, so that problems come out roughly top to bottom.
_SECTIONS = tuple(Instrument.model_fields)


def _order(loc: Loc) -> tuple[Any, ...]:
    head = _SECTIONS.index(str(loc[0])) if loc and loc[0] in _SECTIONS else len(_SECTIONS)
    return (head, *((0, p) if isinstance(p, int) else (1, p) for p in loc[1:]))


def _locales(instrument: Instrument) -> Iterator[Problem]:
    for k, (locale, count) in enumerate(Counter(instrument.locales).items()):
        if count > 1:
            yield ("locales", k), f"locale {locale!r} is listed {count} times"
        if not locale.strip():
            yield ("locales", k), "empty locale code"


def _scale(instrument: Instrument) -> Iterator[Problem]:
    scale = instrument.scale
    if len(scale.labels) != scale.points:
        yield (
            ("scale", "labels"),
            f"{len(scale.labels)} labels for a {scale.points}-point scale: give one per point",
        )
    offered = [i.id for i in instrument.items if isinstance(i, LikertItem) and i.not_applicable]
    if offered and scale.not_applicable is None:
        yield (
            ("scale",),
            f"items {', '.join(offered[:3])}{' ...' if len(offered) > 3 else ''} offer "
            "'does not apply': give its label as scale.not_applicable",
        )


def _bands(instrument: Instrument) -> Iterator[Problem]:
    for k, band in enumerate(instrument.bands):
        if band.key != BAND_KEYS[k]:
            yield ("bands", k, "key"), f"band {k + 1} must be {BAND_KEYS[k]!r} (fixed order)"


def _scoring(instrument: Instrument) -> Iterator[Problem]:
    scoring = instrument.scoring
    cuts = scoring.band_cuts
    for k, cut in enumerate(cuts):
        if not STEN_MIN <= cut <= STEN_MAX:
            yield ("scoring", "band_cuts", k), f"cut point {cut:g} is outside the sten range 1..10"
        if k and cut <= cuts[k - 1]:
            yield (
                ("scoring", "band_cuts", k),
                f"cut points must increase: {cut:g} follows {cuts[k - 1]:g}",
            )
    v = scoring.validity
    loc: Loc = ("scoring", "validity")
    # "Invalid" must be the stricter threshold, or a result could be invalid without caution.
    if v.invalid_seconds_per_item >= v.caution_seconds_per_item:
        yield (
            (*loc, "invalid_seconds_per_item"),
            "must be below caution_seconds_per_item (faster is worse)",
        )
    for name in ("longstring", "inconsistency", "impression", "fast_pages", "mahalanobis"):
        caution, invalid = getattr(v, f"{name}_caution"), getattr(v, f"{name}_invalid")
        if caution is not None and invalid is not None and invalid <= caution:
            yield (*loc, f"{name}_invalid"), f"must be above {name}_caution ({caution})"
    if (
        v.person_total_caution is not None
        and v.person_total_invalid is not None
        and v.person_total_invalid >= v.person_total_caution
    ):
        yield (
            (*loc, "person_total_invalid"),
            f"must be below person_total_caution ({v.person_total_caution}): lower is worse",
        )
    impression = sum(isinstance(i, ImpressionItem) for i in instrument.items)
    if impression and v.impression_invalid > impression:
        yield (
            (*loc, "impression_invalid"),
            f"{v.impression_invalid} can never be reached with {impression} impression items",
        )


def _stages(instrument: Instrument) -> Iterator[Problem]:
    known = {c.key for c in instrument.competencies}
    for k, stage in enumerate(instrument.stages):
        if stage.key != STAGE_KEYS[k]:
            yield ("stages", k, "key"), f"stage {k + 1} must be {STAGE_KEYS[k]!r} (fixed order)"
        phase = "pre_sale" if stage.key in PRE_SALE else "post_sale"
        if stage.phase != phase:
            yield ("stages", k, "phase"), f"{stage.key} belongs to phase {phase!r}"
        seen: set[str] = set()
        for j, sc in enumerate(stage.competencies):
            loc: Loc = ("stages", k, "competencies", j, "competency")
            if sc.competency not in known:
                yield loc, f"unknown competency {sc.competency!r}"
            if sc.competency in seen:
                yield loc, f"competency {sc.competency!r} is weighted twice in {stage.key}"
            seen.add(sc.competency)
        for j, pitfall in enumerate(stage.pitfalls):
            for m, key in enumerate(pitfall.competencies):
                # A pitfall is shown when one of its competencies is low: it must be one
                # the stage weighs, or the report could never (or wrongly) show it.
                if key not in seen:
                    yield (
                        ("stages", k, "pitfalls", j, "competencies", m),
                        f"pitfall competency {key!r} is not weighted in {stage.key}",
                    )
            if len(set(pitfall.competencies)) < len(pitfall.competencies):
                yield (
                    ("stages", k, "pitfalls", j, "competencies"),
                    f"a competency is listed twice for this pitfall of {stage.key}",
                )
        total = math.fsum(sc.weight for sc in stage.competencies)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            yield (
                ("stages", k, "competencies"),
                f"weights of {stage.key} sum to {total:g}, not 1",
            )


def _competencies(instrument: Instrument) -> Iterator[Problem]:
    first = _first_index(c.key for c in instrument.competencies)
    served = {sc.competency for stage in instrument.stages for sc in stage.competencies}
    minimum = instrument.scoring.min_answered
    for k, comp in enumerate(instrument.competencies):
        loc: Loc = ("competencies", k, "key")
        if first[comp.key] != k:
            yield (
                loc,
                f"duplicate competency key {comp.key!r} (first at competencies[{first[comp.key]}])",
            )
        if comp.key not in served:
            yield loc, f"competency {comp.key!r} serves no stage (give it a weight in one)"
        likert = [
            i for i in instrument.items if isinstance(i, LikertItem) and i.competency == comp.key
        ]
        scored = len(likert) + sum(
            isinstance(i, SjtItem) and i.competency == comp.key for i in instrument.items
        )
        if scored < minimum:
            yield (
                loc,
                (
                    f"competency {comp.key!r} has {scored} items; "
                    f"scoring.min_answered needs at least {minimum}"
                ),
            )
        if not any(i.keyed == "-" for i in likert):
            # Without a reverse-keyed item, agreeing with everything looks like a strength.
            yield loc, f"competency {comp.key!r} has no reverse-keyed Likert item"
        # The manager's sentence (bands) and the rep's own (feedback): one per band, in order.
        for name, what, sentences in (
            ("bands", "sentence", comp.bands),
            ("feedback", "feedback sentence", comp.feedback),
        ):
            loc = ("competencies", k, name)
            missing = [b for b in BAND_KEYS if b not in sentences]
            if missing:
                yield loc, f"no {what} for bands: {', '.join(missing)}"
            elif list(sentences) != list(BAND_KEYS):
                yield loc, f"{name} must be in order: {', '.join(BAND_KEYS)}"


def _items(instrument: Instrument) -> Iterator[Problem]:
    first = _first_index(i.id for i in instrument.items)
    known = {c.key for c in instrument.competencies}
    stages = {s.key: {sc.competency for sc in s.competencies} for s in instrument.stages}
    for k, item in enumerate(instrument.items):
        if first[item.id] != k:
            yield (
                ("items", k, "id"),
                f"duplicate item id {item.id!r} (first at items[{first[item.id]}])",
            )
        if isinstance(item, LikertItem | SjtItem) and item.competency not in known:
            yield ("items", k, "competency"), f"unknown competency {item.competency!r}"
        if isinstance(item, SjtItem):
            if item.competency in known and item.competency not in stages.get(item.stage, ()):
                yield (
                    ("items", k, "competency"),
                    f"{item.competency!r} is not weighted in stage {item.stage!r}",
                )
            yield from _sjt_options(item, ("items", k, "options"))


def _sjt_options(item: SjtItem, loc: Loc) -> Iterator[Problem]:
    first = _first_index(o.key for o in item.options)
    for j, option in enumerate(item.options):
        if first[option.key] != j:
            yield (*loc, j, "key"), f"duplicate option key {option.key!r} in {item.id}"
    if not any(o.score == BEST_SJT_SCORE for o in item.options):
        yield loc, f"no option of {item.id} has the best score {BEST_SJT_SCORE}"


def _first_index(keys: Iterable[str]) -> dict[str, int]:
    """Where each key first occurs: a later occurrence is the duplicate to report."""
    first: dict[str, int] = {}
    for k, key in enumerate(keys):
        first.setdefault(key, k)
    return first


def _consistency_pairs(instrument: Instrument) -> Iterator[Problem]:
    likert = {i.id: i for i in instrument.items if isinstance(i, LikertItem)}
    others = {i.id for i in instrument.items if not isinstance(i, LikertItem)}
    for k, pair in enumerate(instrument.consistency_pairs):
        loc: Loc = ("consistency_pairs", k, "items")
        for j, item_id in enumerate(pair.items):
            if item_id in others:
                yield (*loc, j), f"{item_id} is not a Likert item"
            elif item_id not in likert:
                yield (*loc, j), f"unknown item {item_id!r}"
        first, second = pair.items
        if first == second:
            yield loc, f"a pair needs two different items, not {first} twice"
        elif (
            first in likert
            and second in likert
            and likert[first].competency != likert[second].competency
        ):
            yield loc, f"{first} and {second} measure different competencies"


def _texts(
    node: Any, locales: Sequence[str], loc: Loc = (), annotation: Any = None
) -> Iterator[Problem]:
    """Every LocalText anywhere in the instrument has exactly its locales, none empty."""
    if isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            yield from _texts(getattr(node, name), locales, (*loc, name), field.annotation)
        return
    annotation = _unwrap(annotation)
    if annotation == LocalText and isinstance(node, dict):
        yield from _local_text(node, locales, loc)
    elif isinstance(node, list | tuple):
        inner = get_args(annotation)[0] if get_args(annotation) else None
        for k, value in enumerate(node):
            yield from _texts(value, locales, (*loc, k), inner)
    elif isinstance(node, dict):
        args = get_args(annotation)
        inner = args[1] if len(args) == 2 else None
        for key, value in node.items():
            yield from _texts(value, locales, (*loc, key), inner)


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return None  # a union of models: each value's own class says what it holds
    return annotation


def _local_text(text: dict[str, str], locales: Sequence[str], loc: Loc) -> Iterator[Problem]:
    missing = [locale for locale in locales if locale not in text]
    if missing:
        yield loc, f"no text for locale {', '.join(missing)}"
    for locale, value in text.items():
        if locale not in locales:
            yield (*loc, locale), f"locale {locale!r} is not in the instrument's locales"
        elif not value.strip():
            yield (*loc, locale), f"empty {locale!r} text"
