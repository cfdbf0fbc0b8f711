"""The service scores too-fast pages on the pages the rep was shown: the compact ones for a
rep on a phone, and the pages of both layouts for one who switched."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.instrument.presentation import pages
from app.models import PageTiming
from app.scoring.simulate import simulate_answers
from app.services import participation
from app.services.instruments import instrument_of


def test_a_phone_rep_racing_half_of_each_page_is_counted_on_the_compact_pages(
    db: Session, invite: Any, instrument_version: Any
) -> None:
    assessment = invite(instrument_version=instrument_version).assessment
    assessment.page_layout = "compact"
    instrument = instrument_of(assessment.instrument_version)
    compact, standard = pages(instrument, "compact"), pages(instrument, "standard")
    if len(compact) == len(standard):
        return  # the mini instrument has no page to cut: nothing to tell apart
    answers, _ = simulate_answers(instrument, {}, np.random.default_rng(3))
    seconds: dict[str, float] = {}
    raced = 0
    for page in standard:
        parts = [p for p in compact if p[0] in page]
        for k, part in enumerate(parts):
            fast = k == 0 and len(parts) > 1
            raced += fast
            seconds.update(dict.fromkeys(part, 1.0 if fast else 12.0))
    result = participation.complete(db=db, assessment=assessment, answers=answers, seconds=seconds)
    db.commit()
    assert result.payload["validity"]["indices"]["fast_pages"] == raced > 0
    shown = participation.pages_shown(db=db, assessment=assessment)
    assert shown == compact


def test_pages_shown_lists_both_layouts_after_a_switch(
    db: Session, invite: Any, mini_instrument_version: Any
) -> None:
    assessment = invite(instrument_version=mini_instrument_version).assessment
    instrument = instrument_of(assessment.instrument_version)
    assert participation.pages_shown(db=db, assessment=assessment) is None
    db.add(PageTiming(assessment_id=assessment.id, page=1, layout="standard", seconds=30.0))
    db.add(PageTiming(assessment_id=assessment.id, page=1, layout="standard", seconds=5.0))
    db.add(PageTiming(assessment_id=assessment.id, page=2, layout="compact", seconds=9.0))
    db.add(PageTiming(assessment_id=assessment.id, page=999, layout="compact", seconds=9.0))
    db.flush()
    shown = participation.pages_shown(db=db, assessment=assessment)
    assert shown == [pages(instrument, "compact")[1], pages(instrument, "standard")[0]]
