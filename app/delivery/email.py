"""The e-mail deliverer: draws the e-mail an outbox message refers to (the participant's link
unsealed only now) and hands it to the SMTP server, or writes it to var/outbox/."""

from __future__ import annotations

from email.errors import MessageError

from app.clock import utcnow
from app.delivery import Delivery, DeliveryContext, Outcome, deliverer
from app.delivery.smtp import send
from app.models import Assessment, Organisation, OutboxMessage
from app.services import invitations
from app.services.mail import compose
from app.services.notifications import Message
from app.vocabulary import OPEN_STATUSES, status_at

NO_LINK = (
    "not sent: the participant link cannot be unsealed (the invitation was made before links "
    "were kept, or under another STAGEFIT_SECRET_KEY); send the rep a new link"
)


def _refused(reason: str) -> Delivery:
    return Delivery(Outcome.REFUSED, None, reason)


@deliverer("email")
def deliver_email(message: OutboxMessage, context: DeliveryContext) -> Delivery:
    db, settings = context.db, context.settings
    assessment = db.get(Assessment, message.assessment_id) if message.assessment_id else None
    organisation = db.get(Organisation, assessment.organisation_id) if assessment else None
    if assessment is None or organisation is None:
        return _refused("not sent: the assessment no longer exists")
    now = utcnow()
    status = status_at(assessment.status, assessment.expires_at, now)
    if status not in OPEN_STATUSES:
        # A link that no longer opens anything would only confuse the rep.
        return _refused(f"not sent: the assessment was {status} before the e-mail went out")
    link = invitations.link_of(settings, assessment)
    if link is None:
        return _refused(NO_LINK)
    try:
        email = compose(
            message=Message(message.payload["message"]),
            organisation=organisation,
            assessment=assessment,
            link=link,
            sender_name=message.payload.get("sender_name"),
            mail_from=settings.mail_from,
            message_id=message.id,
            now=now,
        )
    except (ValueError, MessageError) as exc:  # an address no e-mail header can carry
        return _refused(f"not sent: the e-mail could not be written: {exc}")
    return send(settings, email, name=message.id)
