"""Scoped reads of billing rows: what a caller may see, as SQL the API pages and counts.

The one policy decides and filters (`policy.scoped`); these builders add only their own
WHERE clauses, so a row outside the caller's advertisers is never read at all
("not found", never "forbidden"). Callers add ordering and paging.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.models import Invoice, LedgerEntry


def ledger_query(
    principal: Principal, *, date_from: date | None = None, date_to: date | None = None
) -> Select[Any]:
    """Ledger entries of the caller's advertisers, optionally within local days."""
    query = policy.scoped(select(LedgerEntry), principal, LedgerEntry.advertiser_id)
    if date_from is not None:
        query = query.where(LedgerEntry.day >= date_from)
    if date_to is not None:
        query = query.where(LedgerEntry.day <= date_to)
    return query


def invoices_query(principal: Principal, *, latest_only: bool = False) -> Select[Any]:
    """Invoices of the caller's advertisers; `latest_only`: the newest version per month."""
    query = policy.scoped(select(Invoice), principal, Invoice.advertiser_id)
    if latest_only:
        newer = aliased(Invoice)
        query = query.where(
            ~exists().where(
                newer.advertiser_id == Invoice.advertiser_id,
                newer.month == Invoice.month,
                newer.version > Invoice.version,
            )
        )
    return query
