"""Pure invoice rules: one line per campaign, each rounded, the total the sum of the lines.

Rounding rule (documented for finance): each line is the exact sum, in micros, of the
month's CHARGE and ADJUSTMENT entries of that campaign (adjustments without a campaign
form one line of their own), rounded **once, per line**, to the currency's ISO 4217
minor unit, **half away from zero** (`ads.money.round_to_minor`). The invoice total is
the sum of the rounded lines — never re-rounded — and the rounding residue
(exact sum − total) is stored on the invoice, so that ledger = invoice + residue holds
to the micro.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ads.money import round_to_minor


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"  # the month is still open in the advertiser's timezone
    ISSUED = "ISSUED"  # the month and its late-event allowance are over


@dataclass(frozen=True)
class LineInput:
    """The exact amount of one line: campaign id (None: account-level adjustments)."""

    campaign_id: int | None
    exact_micros: int


@dataclass(frozen=True)
class InvoiceLineAmount:
    campaign_id: int | None
    exact_micros: int
    amount_micros: int


@dataclass(frozen=True)
class InvoiceAmounts:
    currency: str
    lines: tuple[InvoiceLineAmount, ...]
    total_micros: int
    exact_micros: int
    residue_micros: int


def line_sort_key(campaign_id: int | None) -> tuple[int, int]:
    """Campaign lines by id, then the account-level line."""
    return (1, 0) if campaign_id is None else (0, campaign_id)


def build_invoice(currency: str, inputs: Iterable[LineInput]) -> InvoiceAmounts:
    """Merge inputs per campaign, round each line, sum the rounded lines."""
    merged: dict[int | None, int] = {}
    for item in inputs:
        merged[item.campaign_id] = merged.get(item.campaign_id, 0) + item.exact_micros
    lines = tuple(
        InvoiceLineAmount(
            campaign_id=cid, exact_micros=exact, amount_micros=round_to_minor(exact, currency)
        )
        for cid, exact in sorted(merged.items(), key=lambda kv: line_sort_key(kv[0]))
    )
    total = sum(line.amount_micros for line in lines)
    exact = sum(line.exact_micros for line in lines)
    return InvoiceAmounts(
        currency=currency,
        lines=lines,
        total_micros=total,
        exact_micros=exact,
        residue_micros=exact - total,
    )
