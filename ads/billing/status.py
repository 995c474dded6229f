"""Billing enums shared by the models, the services and the API."""

from __future__ import annotations

from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"  # the month is still open in the advertiser's timezone
    ISSUED = "ISSUED"  # the month and its late-event allowance are over


class ExportStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class ExportFormat(StrEnum):
    CSV = "CSV"
    JSONL = "JSONL"


class Granularity(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
