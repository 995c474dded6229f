"""An invoice as the document a customer receives: its number, its lines, its CSV rows.

Pure: the PDF, the CSV, the CLI and the API all render this one value, so every surface
shows the same rounded figures (each line rounded once by the invoice rule, the total
the sum of the lines, `ads.billing.domain.invoice_rules`).

The number is stable per advertiser and local month, `INV-<YYYYMM>-<advertiser id>`:
every version of the month's invoice keeps it, with its revision (1, 2, …), so a
reissued invoice visibly replaces the one the customer already has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ads.billing.domain.calendar import next_month
from ads.billing.domain.invoice_rules import InvoiceStatus
from ads.money import format_minor
from ads.node_ids import global_id

#: What the line of adjustments without a campaign is called, everywhere.
ACCOUNT_LINE = "Account adjustments"
_NUMBER = re.compile(r"INV-(\d{4})(\d{2})-(\d{6,19})")


def invoice_number(advertiser_id: int, month: date) -> str:
    return f"INV-{month:%Y%m}-{advertiser_id:06d}"


def parse_invoice_number(text: str) -> tuple[int, date] | None:
    """(advertiser id, month) of an invoice number; None when it is not one."""
    found = _NUMBER.fullmatch(text.strip().upper())
    if found is None:
        return None
    year, month, advertiser = (int(part) for part in found.groups())
    if not 1 <= month <= 12 or advertiser == 0:
        return None
    return advertiser, date(year, month, 1)


@dataclass(frozen=True)
class DocumentLine:
    description: str
    #: None: the line of account-level adjustments.
    campaign_id: int | None
    exact_micros: int
    amount_micros: int


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_id: int
    advertiser_id: int
    advertiser_name: str
    timezone: str
    month: date
    revision: int
    status: InvoiceStatus
    currency: str
    created_at: datetime
    lines: tuple[DocumentLine, ...]
    total_micros: int
    exact_micros: int
    residue_micros: int

    @property
    def number(self) -> str:
        return invoice_number(self.advertiser_id, self.month)

    @property
    def last_day(self) -> date:
        return next_month(self.month) - timedelta(days=1)

    def amount(self, micros: int) -> str:
        """An amount as the invoice shows it: the currency's minor digits, no more."""
        return format_minor(micros, self.currency)


CSV_HEADER = (
    "invoice_number",
    "revision",
    "status",
    "month",
    "advertiser_id",
    "advertiser_node_id",
    "advertiser_name",
    "line",
    "description",
    "campaign_id",
    "campaign_node_id",
    "currency",
    "amount",
    "amount_micros",
    "exact_micros",
)


def csv_rows(document: InvoiceDocument) -> Iterator[tuple[str | int, ...]]:
    """One row per line, then the TOTAL row; amounts as the PDF shows them, micros beside."""
    head = (
        document.number,
        document.revision,
        document.status.value,
        f"{document.month:%Y-%m}",
        document.advertiser_id,
        global_id("Advertiser", document.advertiser_id),
        document.advertiser_name,
    )
    for position, line in enumerate(document.lines, start=1):
        cid = line.campaign_id
        yield (
            *head,
            position,
            line.description,
            "" if cid is None else cid,
            "" if cid is None else global_id("Campaign", cid),
            document.currency,
            document.amount(line.amount_micros),
            line.amount_micros,
            line.exact_micros,
        )
    yield (
        *head,
        "TOTAL",
        "Total",
        "",
        "",
        document.currency,
        document.amount(document.total_micros),
        document.total_micros,
        document.exact_micros,
    )
