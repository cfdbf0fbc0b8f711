"""The Greenhouse deliverer: "PATCH - Mark Test as Completed" to the `url` Greenhouse sent with
send_test, with Basic credentials as Greenhouse sends its own (the organisation's API key as
the user name, an empty password), no body. Any 2xx is accepted; everything else is retried
by the worker until Greenhouse accepts it, except 410 Gone (the test no longer exists there)."""

from __future__ import annotations

import httpx

from app.delivery import Delivery, DeliveryContext, Outcome, deliverer
from app.models import OutboxMessage, PartnerOrder
from app.sealing import unseal
from app.services.greenhouse_callback import CREDENTIAL

MAX_REASON = 300


@deliverer("greenhouse")
def mark_test_completed(message: OutboxMessage, context: DeliveryContext) -> Delivery:
    order = context.db.get(PartnerOrder, message.payload.get("partner_order_id", ""))
    if order is None:
        return Delivery(Outcome.REFUSED, None, "not sent: the Greenhouse order no longer exists")
    key = unseal(context.settings.secret_key, CREDENTIAL, order.credential_sealed)
    if key is None:
        return Delivery(
            Outcome.REFUSED,
            None,
            "not sent: the API key Greenhouse called with cannot be unsealed (another "
            "STAGEFIT_SECRET_KEY); Greenhouse still sees the result through test_status",
        )
    try:
        response = context.http.request(
            "PATCH",
            message.recipient,
            auth=httpx.BasicAuth(key, ""),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return Delivery(Outcome.FAILED, None, f"{type(exc).__name__}: {exc}"[:MAX_REASON])
    status = response.status_code
    if 200 <= status < 300:
        return Delivery(Outcome.DELIVERED, status)
    said = " ".join(response.text.split())[:MAX_REASON]
    reason = f"Greenhouse answered {status} {response.reason_phrase}"
    reason += f": {said}" if said else ""
    return Delivery(Outcome.REFUSED if status == 410 else Outcome.FAILED, status, reason)
