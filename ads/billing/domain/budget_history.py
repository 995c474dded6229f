"""Which budget was in force: rebuilt from the audit trail of changes (pure).

The rule: **the budget in force for a local day is the one in force at the end of that
day** (the instant the next day starts). A budget raised at 15:00 applies to the whole
day; a budget lowered below what was already spent turns the excess into an overdelivery
credit. Every change is an audit entry (`action="update"`, with `before`/`after`), so
the value used is reproducible and auditable: it is the `before` of the first change
made at or after the end of the day, or the current value when none was made since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    """One audited change of one field: when, and the value before and after it."""

    occurred_at: datetime
    before: Any
    after: Any


def value_at(current: Any, changes: Sequence[FieldChange], moment: datetime) -> Any:
    """The value in force just before `moment`, given the changes in the order they were made."""
    for change in changes:
        if change.occurred_at >= moment:
            return change.before
    return current
