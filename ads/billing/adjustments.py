"""createBillingAdjustment: finance adds a signed ADJUSTMENT row, with a reason, audited."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.audit.writes import add_created
from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.domain.ledger import EntryKind
from ads.billing.invoices import refresh_invoice
from ads.billing.models import LedgerEntry
from ads.campaigns.models import Campaign
from ads.errors import Invalid, NotFound
from ads.money import MAX_MICROS, round_to_minor
from ads.text import check_storable

REASON_MAX = 500


#: What the audit trail records of an adjustment.
ADJUSTMENT_FIELDS = ("kind", "campaign_id", "day", "amount_micros", "currency", "reason")


def create_adjustment(
    session: Session,
    principal: Principal,
    *,
    advertiser_id: int,
    day: date,
    amount_micros: int,
    reason: str,
    campaign_id: int | None = None,
    now: datetime,
    allowance_seconds: int,
) -> LedgerEntry:
    """Append an adjustment (negative: a credit to the advertiser) and refresh the invoice.

    An adjustment in an already ISSUED month issues a new invoice version.
    """
    policy.require_billing_write(principal, action="create billing adjustments")
    advertiser = session.get(Advertiser, advertiser_id)
    if advertiser is None:
        raise NotFound("advertiser not found", field="advertiserId")
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.advertiser_id != advertiser_id:
            raise NotFound("campaign not found", field="campaignId")
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise Invalid(f"a reason of 1 to {REASON_MAX} characters is required", field="reason")
    check_storable(reason, field="reason")
    if amount_micros == 0 or abs(amount_micros) > MAX_MICROS:
        raise Invalid("the amount must be non-zero and fit in 64 bits", field="amountMicros")
    if round_to_minor(amount_micros, advertiser.currency) != amount_micros:
        raise Invalid(
            f"adjustments are whole minor units of {advertiser.currency}",
            field="amountMicros",
            code="INVALID_MONEY",
        )
    entry = LedgerEntry(
        advertiser_id=advertiser_id,
        campaign_id=campaign_id,
        day=day,
        kind=EntryKind.ADJUSTMENT,
        amount_micros=amount_micros,
        currency=advertiser.currency,
        reason=reason,
        created_by=principal.actor,
    )
    add_created(session, principal, entry, advertiser_id=advertiser_id, fields=ADJUSTMENT_FIELDS)
    refresh_invoice(
        session, advertiser, day.replace(day=1), now=now, allowance_seconds=allowance_seconds
    )
    session.commit()
    return entry
