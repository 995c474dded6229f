"""What an export is, as data: its period, grouping, format and state, and the limits on it.

Pure: the service checks a request against these before anything is written, and the
rows, files and jobs modules share the one `ExportSpec`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ads.billing.domain.calendar import Granularity
from ads.errors import Invalid

#: The longest period one export covers (ten years of local days).
MAX_DAYS = 3_660


class ExportStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ExportFormat(StrEnum):
    CSV = "CSV"
    JSONL = "JSONL"

    @property
    def suffix(self) -> str:
        return "csv" if self is ExportFormat.CSV else "jsonl"


@dataclass(frozen=True)
class ExportSpec:
    date_from: date
    date_to: date
    granularity: Granularity
    #: None: every advertiser.
    advertiser_ids: Sequence[int] | None


def validate_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise Invalid("`to` is before `from`", field="to", code="INVALID_PERIOD")
    if (date_to - date_from).days >= MAX_DAYS:
        raise Invalid(
            f"an export covers at most {MAX_DAYS} days", field="to", code="INVALID_PERIOD"
        )
