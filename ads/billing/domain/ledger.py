"""The kinds of ledger rows: what billed delivery, credited overdelivery and corrections are.

The ledger is append-only: a correction is a new row of the same kind with the
difference, never an edit, so every figure can be rebuilt from the rows.
"""

from __future__ import annotations

from enum import StrEnum


class EntryKind(StrEnum):
    #: Delivered spend billed to the advertiser (within its budget and spend limit).
    CHARGE = "CHARGE"
    #: Delivered spend beyond a cap: delivered, recorded, never charged.
    OVERDELIVERY_CREDIT = "OVERDELIVERY_CREDIT"
    #: A signed correction made by finance, with a reason.
    ADJUSTMENT = "ADJUSTMENT"
