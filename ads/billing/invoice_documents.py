"""Invoices as documents: find one a caller may read, and build what its PDF and CSV show.

Reads go through the one policy (`ads.billing.queries.invoices_query` is scoped), so an
invoice of another tenant is "not found", as in the API.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.auth.principal import Principal
from ads.billing.domain.invoice_document import (
    ACCOUNT_LINE,
    DocumentLine,
    InvoiceDocument,
    parse_invoice_number,
)
from ads.billing.models import Invoice
from ads.billing.queries import invoices_query
from ads.campaigns.models import Campaign
from ads.errors import NotFound
from ads.node_ids import InvalidId, parse_id


def get_invoice(session: Session, principal: Principal, invoice_id: int) -> Invoice:
    invoice = session.scalars(invoices_query(principal).where(Invoice.id == invoice_id)).first()
    if invoice is None:
        raise NotFound("invoice not found", field="id")
    return invoice


def find_invoice(
    session: Session,
    principal: Principal,
    *,
    advertiser_id: int,
    month: date | None = None,
    revision: int | None = None,
) -> Invoice:
    """The advertiser's invoice of `month` (default: its latest month), latest revision
    unless one is asked for."""
    query = invoices_query(principal).where(Invoice.advertiser_id == advertiser_id)
    if month is not None:
        query = query.where(Invoice.month == month)
    if revision is not None:
        query = query.where(Invoice.version == revision)
    invoice = session.scalars(
        query.order_by(Invoice.month.desc(), Invoice.version.desc()).limit(1)
    ).first()
    if invoice is None:
        what = f" of {month:%Y-%m}" if month is not None else ""
        which = f" revision {revision}" if revision is not None else ""
        raise NotFound(f"advertiser {advertiser_id} has no invoice{what}{which}", field="id")
    return invoice


def resolve_invoice(
    session: Session, principal: Principal, reference: str, *, revision: int | None = None
) -> Invoice:
    """An invoice by its numeric id, its GraphQL global id or its number (INV-…; the
    latest revision unless one is asked for)."""
    numbered = parse_invoice_number(reference)
    if numbered is not None:
        advertiser_id, month = numbered
        return find_invoice(
            session, principal, advertiser_id=advertiser_id, month=month, revision=revision
        )
    try:
        invoice_id = parse_id(reference, "Invoice")
    except InvalidId:
        raise NotFound(
            f"{reference!r} is not an invoice id, global id or number (INV-YYYYMM-…)", field="id"
        ) from None
    return get_invoice(session, principal, invoice_id)


def invoice_document(session: Session, invoice: Invoice) -> InvoiceDocument:
    """What the invoice's PDF and CSV show (the caller has read `invoice` through the policy)."""
    advertiser = session.get_one(Advertiser, invoice.advertiser_id)
    campaign_ids = [line.campaign_id for line in invoice.lines if line.campaign_id is not None]
    names: dict[int, str] = {
        cid: name
        for cid, name in session.execute(
            select(Campaign.id, Campaign.name).where(Campaign.id.in_(campaign_ids))
        )
    }
    return InvoiceDocument(
        invoice_id=invoice.id,
        advertiser_id=advertiser.id,
        advertiser_name=advertiser.name,
        timezone=advertiser.timezone,
        month=invoice.month,
        revision=invoice.version,
        status=invoice.status,
        currency=invoice.currency,
        created_at=invoice.created_at,
        lines=tuple(
            DocumentLine(
                description=ACCOUNT_LINE
                if line.campaign_id is None
                else names.get(line.campaign_id, f"Campaign {line.campaign_id}"),
                campaign_id=line.campaign_id,
                exact_micros=line.exact_micros,
                amount_micros=line.amount_micros,
            )
            for line in invoice.lines
        ),
        total_micros=invoice.total_micros,
        exact_micros=invoice.exact_micros,
        residue_micros=invoice.residue_micros,
    )
