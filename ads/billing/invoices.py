"""Invoices: one per advertiser and local calendar month, versioned, never edited.

`refresh_invoice` compares what the ledger says now with the latest version: same lines
and same status → nothing; otherwise a new version is added. A month is open (DRAFT)
until its end in the advertiser's timezone plus the late-event allowance; after that
its invoice is ISSUED, and any later ledger change (a late re-close, an adjustment)
issues a new version that supersedes the previous one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ads.accounts.models import Advertiser
from ads.billing.domain.calendar import month_bounds, next_month
from ads.billing.domain.invoice_rules import InvoiceAmounts, InvoiceStatus, LineInput, build_invoice
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import Invoice, InvoiceLine, LedgerEntry
from ads.time import zone


def month_amounts(session: Session, advertiser: Advertiser, month: date) -> InvoiceAmounts:
    """The month's CHARGE and ADJUSTMENT sums per campaign, rounded by the invoice rule."""
    rows = session.execute(
        select(LedgerEntry.campaign_id, func.sum(LedgerEntry.amount_micros))
        .where(
            LedgerEntry.advertiser_id == advertiser.id,
            LedgerEntry.day >= month,
            LedgerEntry.day < next_month(month),
            LedgerEntry.kind.in_((EntryKind.CHARGE, EntryKind.ADJUSTMENT)),
        )
        .group_by(LedgerEntry.campaign_id)
    ).all()
    return build_invoice(
        advertiser.currency, [LineInput(cid, int(amount)) for cid, amount in rows if amount]
    )


def month_status(
    advertiser: Advertiser, month: date, *, now: datetime, allowance_seconds: int
) -> InvoiceStatus:
    end = month_bounds(month, zone(advertiser.timezone))[1]
    closed = now >= end + timedelta(seconds=allowance_seconds)
    return InvoiceStatus.ISSUED if closed else InvoiceStatus.DRAFT


def latest_invoice(session: Session, advertiser_id: int, month: date) -> Invoice | None:
    return session.scalars(
        select(Invoice)
        .where(Invoice.advertiser_id == advertiser_id, Invoice.month == month)
        .order_by(Invoice.version.desc())
        .limit(1)
        .options(selectinload(Invoice.lines))
    ).first()


def refresh_invoice(
    session: Session, advertiser: Advertiser, month: date, *, now: datetime, allowance_seconds: int
) -> Invoice | None:
    """Add a version when the ledger or the month's status changed; caller commits."""
    amounts = month_amounts(session, advertiser, month)
    status = month_status(advertiser, month, now=now, allowance_seconds=allowance_seconds)
    latest = latest_invoice(session, advertiser.id, month)
    if latest is None and not amounts.lines:
        return None
    if latest is not None and latest.status is InvoiceStatus.ISSUED:
        status = InvoiceStatus.ISSUED  # an issued month never goes back to draft
    if latest is not None and latest.status is status and _same_lines(latest, amounts):
        return latest
    invoice = Invoice(
        advertiser_id=advertiser.id,
        month=month,
        version=(latest.version + 1) if latest is not None else 1,
        status=status,
        currency=advertiser.currency,
        total_micros=amounts.total_micros,
        exact_micros=amounts.exact_micros,
        residue_micros=amounts.residue_micros,
        lines=[
            InvoiceLine(
                position=i,
                campaign_id=line.campaign_id,
                exact_micros=line.exact_micros,
                amount_micros=line.amount_micros,
            )
            for i, line in enumerate(amounts.lines, start=1)
        ],
    )
    session.add(invoice)
    session.flush()
    return invoice


def _same_lines(invoice: Invoice, amounts: InvoiceAmounts) -> bool:
    return [(li.campaign_id, li.exact_micros) for li in invoice.lines] == [
        (li.campaign_id, li.exact_micros) for li in amounts.lines
    ]


@dataclass(frozen=True)
class InvoiceRefresh:
    """What a refresh did: how many advertiser-months it compared, the versions it added."""

    checked: int
    added: tuple[Invoice, ...]


def refresh_invoices(
    session: Session,
    *,
    now: datetime,
    allowance_seconds: int,
    since: date | None = None,
    advertiser_ids: Collection[int] | None = None,
    months: Collection[date] | None = None,
) -> InvoiceRefresh:
    """Refresh every advertiser-month that has ledger rows (from `since`, of these
    advertisers, of these months) and commit."""
    query = select(LedgerEntry.advertiser_id, LedgerEntry.day).distinct()
    if since is not None:
        query = query.where(LedgerEntry.day >= since)
    if advertiser_ids is not None:
        query = query.where(LedgerEntry.advertiser_id.in_(sorted(advertiser_ids)))
    found = {(aid, day.replace(day=1)) for aid, day in session.execute(query)}
    if months is not None:
        found = {(aid, month) for aid, month in found if month in set(months)}
    added = []
    for advertiser_id, month in sorted(found):
        advertiser = session.get(Advertiser, advertiser_id)
        assert advertiser is not None
        latest = latest_invoice(session, advertiser_id, month)
        invoice = refresh_invoice(
            session, advertiser, month, now=now, allowance_seconds=allowance_seconds
        )
        if invoice is not None and invoice is not latest:
            added.append(invoice)
    session.commit()
    return InvoiceRefresh(len(found), tuple(added))
