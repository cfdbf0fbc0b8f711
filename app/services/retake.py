"""Re-inviting a rep whose result is not valid (or to be read with caution): a new assessment
for the same person, questionnaire, team and role, with the invitation e-mailed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UserError
from app.models import Assessment, Organisation, Result
from app.services import assessments, invitations, notifications
from app.services.invitations import Invitation
from app.vocabulary import OPEN_STATUSES


class CannotReinvite(UserError):
    status_code = 409


def open_invitation(*, db: Session, assessment: Assessment) -> Assessment | None:
    """An open invitation of the same participant to the same questionnaire, if any."""
    return db.scalar(
        select(Assessment)
        .where(Assessment.organisation_id == assessment.organisation_id)
        .where(Assessment.participant_id == assessment.participant_id)
        .where(Assessment.instrument_version_id == assessment.instrument_version_id)
        # As readers see it: an invitation past its expiry is not open any more.
        .where(assessments.status_seen(utcnow()).in_(OPEN_STATUSES))
        .order_by(Assessment.created_at.desc())
        .limit(1)
    )


def reinvite(
    *, db: Session, assessment: Assessment, actor: str, sender_name: str, seal_with: str
) -> Invitation:
    """A retake of a completed assessment whose result is not valid or doubtful."""
    result = db.scalar(select(Result).where(Result.assessment_id == assessment.id))
    status = result.payload.get("validity", {}).get("status") if result else None
    if status not in ("invalid", "caution"):
        raise CannotReinvite("Only a completed result that is not valid (or doubtful) is retaken.")
    pending = open_invitation(db=db, assessment=assessment)
    if pending is not None:
        raise CannotReinvite(
            f"{assessment.participant.full_name} already has an open invitation "
            f"(/app/assessments/{pending.id})."
        )
    organisation = db.get(Organisation, assessment.organisation_id)
    assert organisation is not None
    participant = assessment.participant
    invitation = invitations.invite(
        db=db,
        organisation=organisation,
        instrument_version=assessment.instrument_version,
        email=participant.email,
        first_name=participant.first_name,
        last_name=participant.last_name,
        team_id=assessment.team_id,
        locale=assessment.locale,
        actor=actor,
        seal_with=seal_with,
    )
    invitation.assessment.target_role = assessment.target_role
    invitation.assessment.target_stage = assessment.target_stage
    notifications.enqueue_email(
        db=db,
        assessment=invitation.assessment,
        message=notifications.Message.INVITATION,
        sender_name=sender_name,
    )
    return invitation
