"""The Greenhouse Assessment Partner API's use cases: the tests an organisation can order, a
test sent to a candidate (participant, assessment, partner order and e-mail in one
transaction), its status in Greenhouse's words, and the errors Greenhouse reports to us.

An invalid result never reaches Greenhouse as a plain number: its score is withheld (null)
and the metadata says why."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import rfc3339, utcnow
from app.config import Settings
from app.errors import UserError
from app.instrument.process import STAGE_KEYS
from app.limits import clip
from app.models import Assessment, AuditEvent, InstrumentVersion, Organisation, PartnerOrder
from app.scoring.result import Result
from app.sealing import seal
from app.services import assessments, audit, invitations, notifications
from app.services.greenhouse_callback import CREDENTIAL, PARTNER, order_of
from app.services.instruments import list_instrument_versions
from app.vocabulary import AssessmentStatus, status_at

log = logging.getLogger("stagefit.greenhouse")

# Greenhouse knows one status, "complete"; the others say where the candidate is.
PARTNER_STATUS = {
    AssessmentStatus.INVITED: "pending",
    AssessmentStatus.STARTED: "in_progress",
    AssessmentStatus.COMPLETED: "complete",
    AssessmentStatus.EXPIRED: "expired",
    AssessmentStatus.CANCELLED: "cancelled",
}
VALIDITY_WORDS = {"valid": "Valid", "caution": "Interpret with caution", "invalid": "Not valid"}
Metadata = dict[str, str | int | float | bool | None]


class NotFound(UserError):
    status_code = 404


@dataclass(frozen=True)
class PartnerTest:
    partner_test_id: str
    partner_test_name: str


@dataclass(frozen=True)
class Candidate:
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class TestStatus:
    partner_status: str
    partner_profile_url: str
    partner_score: int | None
    metadata: Metadata


def partner_test_id(version: InstrumentVersion) -> str:
    return f"{version.key}@{version.version}"


def list_tests(*, db: Session) -> list[PartnerTest]:
    """Every installed instrument version, by key and version: a Greenhouse stage keeps the
    version it was set up with until someone picks another."""
    return [
        PartnerTest(partner_test_id(v), f"{v.title} {v.version}")
        for v in list_instrument_versions(db=db)
    ]


def _version(db: Session, test_id: str) -> InstrumentVersion:
    key, _, version = test_id.partition("@")
    found = db.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == version
        )
    )
    if found is None:
        raise NotFound(f"no test {test_id!r}: list_tests names the tests that can be sent")
    return found


def _order_by_url(db: Session, organisation: Organisation, url: str) -> PartnerOrder | None:
    return db.scalar(
        select(PartnerOrder).where(
            PartnerOrder.organisation_id == organisation.id,
            PartnerOrder.partner == PARTNER,
            PartnerOrder.callback_url == url,
        )
    )


def send_test(
    *,
    db: Session,
    settings: Settings,
    organisation: Organisation,
    api_key_id: str,
    credential: str,
    test_id: str,
    candidate: Candidate,
    callback_url: str,
    request: dict[str, Any],
    now: datetime | None = None,
) -> str:
    """Invite the candidate and e-mail them the test; the partner_interview_id (the
    assessment's id). The same `callback_url` again (a retry) returns the first order's id."""
    version = _version(db, test_id)
    if settings.env == "production" and not callback_url.startswith("https://"):
        raise UserError("url: Greenhouse's callback URL must use https")
    existing = _order_by_url(db, organisation, callback_url)
    if existing is not None:
        return existing.assessment_id
    try:
        # A savepoint: if a concurrent retry stored the order first, none of this is kept.
        with db.begin_nested():
            invitation = invitations.invite(
                db=db,
                organisation=organisation,
                instrument_version=version,
                email=candidate.email,
                first_name=candidate.first_name,
                last_name=candidate.last_name,
                actor=f"apikey:{api_key_id}",
                seal_with=settings.secret_key,
                now=now,
            )
            db.add(
                PartnerOrder(
                    organisation_id=organisation.id,
                    assessment_id=invitation.assessment.id,
                    partner=PARTNER,
                    partner_test_id=test_id,
                    callback_url=callback_url,
                    request=request,
                    credential_sealed=seal(settings.secret_key, CREDENTIAL, credential),
                )
            )
            notifications.enqueue_email(
                db=db,
                assessment=invitation.assessment,
                message=notifications.Message.GREENHOUSE,
                now=now,
            )
            db.flush()
    except IntegrityError:
        existing = _order_by_url(db, organisation, callback_url)
        if existing is None:
            raise
        return existing.assessment_id
    return invitation.assessment.id


def _ordered(db: Session, organisation: Organisation, interview_id: str) -> Assessment:
    assessment = db.get(Assessment, interview_id)
    if (
        assessment is None
        or assessment.organisation_id != organisation.id
        or order_of(db, assessment.id) is None
    ):
        raise NotFound(f"no test {interview_id!r} was sent from Greenhouse by this organisation")
    return assessment


def test_status(
    *,
    db: Session,
    settings: Settings,
    organisation: Organisation,
    interview_id: str,
    now: datetime | None = None,
) -> TestStatus:
    assessment = _ordered(db, organisation, interview_id)
    status = status_at(assessment.status, assessment.expires_at, now or utcnow())
    metadata: Metadata = {"Invited At": rfc3339(assessment.created_at)}
    if assessment.started_at:
        metadata["Started At"] = rfc3339(assessment.started_at)
    score = None
    stored = assessments.get_result(db=db, assessment_id=assessment.id)
    if status == AssessmentStatus.COMPLETED and stored is not None:
        metadata["Completed At"] = rfc3339(assessment.completed_at)
        score, details = result_metadata(Result.from_json(stored.payload))
        metadata.update(details)
    elif status.is_open:
        metadata["Link Valid Until"] = rfc3339(assessment.expires_at)
    return TestStatus(
        partner_status=PARTNER_STATUS[status],
        partner_profile_url=f"{settings.base_url}/app/assessments/{assessment.id}",
        partner_score=score,
        metadata=metadata,
    )


def result_metadata(result: Result) -> tuple[int | None, Metadata]:
    """The score Greenhouse may show (None when withheld) and the flat metadata beside it:
    the seven stage bands, the best-fit stage, validity and whether the norms are provisional."""
    names = {stage.key: stage.name for stage in result.stages}
    withheld = None
    if result.validity.status == "invalid":
        withheld = "the answers did not pass the validity checks (see Validity Notes)"
    elif result.summary.score is None:
        withheld = "too few questions were answered to give a score"
    metadata: Metadata = {
        "Score": f"{result.summary.score} of {result.summary.max_score}"
        if withheld is None
        else f"Withheld: {withheld}",
        "Score Scale": f"0 to {result.summary.max_score}; 50 is the middle of the norm group",
        "Best-Fit Stage": names.get(result.summary.best_stage or "", "No clear best-fit stage"),
    }
    for number, stage in enumerate(sorted(result.stages, key=lambda s: STAGE_KEYS.index(s.key))):
        metadata[f"Stage {number + 1}: {stage.name}"] = stage.band_label or "Not enough answers"
    metadata["Validity"] = VALIDITY_WORDS[result.validity.status]
    metadata["Validity Status"] = result.validity.status
    if result.validity.flags:
        metadata["Validity Notes"] = "; ".join(flag.detail for flag in result.validity.flags)
    metadata["Norms Provisional"] = result.norm.provisional
    metadata["Norm Group"] = f"{result.norm.label} (n = {result.norm.n})"
    return (result.summary.score if withheld is None else None), metadata


def record_request_error(
    *, db: Session, organisation: Organisation, api_key_id: str, report: dict[str, Any]
) -> None:
    """Greenhouse found one of our responses malformed: kept in the audit trail and logged,
    so an admin can see what Greenhouse could not read."""
    audit.record(
        db=db,
        action="greenhouse.request_error",
        actor=f"apikey:{api_key_id}",
        organisation_id=organisation.id,
        subject_id=clip(AuditEvent.subject_id, report.get("partner_interview_id") or "") or None,
        detail=report,
    )
    log.warning(
        "Greenhouse reports a malformed %s response for %s: %s",
        report.get("api_call"),
        organisation.slug,
        "; ".join(report.get("errors", [])),
    )
