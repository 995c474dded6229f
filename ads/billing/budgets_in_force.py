"""Budgets and spend limits in force at the end of a local day, from the audit trail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.billing.domain.budget_history import FieldChange, value_at
from ads.campaigns.models import Campaign
from ads.campaigns.rules import BudgetType

_FIELDS = ("budget_micros", "budget_type", "spend_limit_micros")


class BudgetHistory:
    """An advertiser's campaigns and account limit, answerable "as of the end of a day"."""

    def __init__(self, session: Session, advertiser: Advertiser) -> None:
        self.advertiser = advertiser
        self.campaigns = {
            c.id: c
            for c in session.scalars(
                select(Campaign).where(Campaign.advertiser_id == advertiser.id)
            )
        }
        self._changes: dict[tuple[str, int, str], list[FieldChange]] = defaultdict(list)
        entries = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.advertiser_id == advertiser.id,
                AuditEntry.action == "update",
                AuditEntry.entity_type.in_(("Campaign", "Advertiser")),
            )
            .order_by(AuditEntry.id)
        )
        for entry in entries:
            before, after = entry.before or {}, entry.after or {}
            for name in _FIELDS:
                if name in after:
                    self._changes[(entry.entity_type, entry.entity_id, name)].append(
                        FieldChange(entry.occurred_at, before.get(name), after[name])
                    )

    def _at(self, entity: str, entity_id: int, name: str, current: Any, moment: datetime) -> Any:
        return value_at(current, self._changes.get((entity, entity_id, name), ()), moment)

    def campaign_budget(self, campaign_id: int, day_end: datetime) -> tuple[BudgetType, int]:
        campaign = self.campaigns[campaign_id]
        kind = self._at("Campaign", campaign_id, "budget_type", campaign.budget_type.value, day_end)
        amount = self._at("Campaign", campaign_id, "budget_micros", campaign.budget_micros, day_end)
        return BudgetType(kind), int(amount)

    def spend_limit(self, day_end: datetime) -> int | None:
        advertiser = self.advertiser
        value = self._at(
            "Advertiser",
            advertiser.id,
            "spend_limit_micros",
            advertiser.spend_limit_micros,
            day_end,
        )
        return None if value is None else int(value)
