"""Billing test helpers: an advertiser with one ad per campaign, events in, the billing cycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.auth.roles import Role
from ads.billing.aggregation import aggregate
from ads.billing.day_close import close_due_days
from ads.billing.invoices import refresh_invoices
from ads.campaigns.rules import BudgetType
from ads.ingestion.service import record_events
from ads.tokens.service import create_token
from tests import factories

ALLOWANCE = 3600


@dataclass
class Account:
    advertiser_id: int
    campaign_ids: list[int]
    ad_ids: list[int]
    currency: str
    timezone: str


def make_account(
    session: Session,
    *,
    currency: str = "USD",
    timezone: str = "America/New_York",
    budgets: tuple[int, ...] = (100_000_000,),
    budget_type: BudgetType = BudgetType.DAILY,
    spend_limit_micros: int | None = None,
    start: datetime = datetime(2026, 10, 1, tzinfo=UTC),
) -> Account:
    advertiser = factories.advertiser(
        session,
        currency=currency,
        timezone=timezone,
        name=f"Adv {currency} {timezone}",
        spend_limit_micros=spend_limit_micros,
    )
    campaigns, ads = [], []
    for budget in budgets:
        campaign = factories.campaign(
            session,
            advertiser.id,
            budget_micros=budget,
            budget_type=budget_type,
            start_at=start,
            end_at=start + timedelta(days=90) if budget_type is BudgetType.LIFETIME else None,
        )
        group = factories.ad_group(session, campaign.id)
        ads.append(factories.ad(session, group.id).id)
        campaigns.append(campaign.id)
    return Account(advertiser.id, campaigns, ads, currency, timezone)


Send = Callable[..., Any]


@pytest.fixture
def send(session: Session) -> Send:
    """send(ad_id, occurred_at, cost, event_id=None, received=None): ingest one event."""
    counter = iter(range(1, 10**9))

    def _send(
        ad_id: int,
        occurred_at: datetime,
        cost: int,
        *,
        event_id: str | None = None,
        received: datetime | None = None,
        kind: str = "IMPRESSION",
    ) -> None:
        raw = {
            "id": event_id or f"e-{next(counter)}",
            "type": kind,
            "adId": ad_id,
            "costMicros": cost,
            "occurredAt": occurred_at.isoformat(),
        }
        report = record_events(session, [raw], now=received or occurred_at + timedelta(minutes=1))
        assert not report.rejected, report.to_json()

    return _send


def run_billing(session: Session, now: datetime, *, allowance: int = ALLOWANCE) -> None:
    """What the scheduled actors do: aggregate, close due days, refresh invoices."""
    aggregate(session, now=now, settle_seconds=0)
    close_due_days(session, allowance_seconds=allowance)
    refresh_invoices(session, now=now, allowance_seconds=allowance)


def token(session: Session, role: Role, *advertisers: int) -> dict[str, str]:
    _, clear = create_token(session, role=role, advertiser_ids=list(advertisers), name="t")
    return {"Authorization": f"Bearer {clear}"}


def gql(client: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Any:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
