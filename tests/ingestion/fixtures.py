"""Ingestion fixtures: one ad in a live campaign, a SERVICE token, event builders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ads.auth.roles import Role
from ads.tokens.service import create_token
from tests import factories

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # noon in New York


@dataclass(frozen=True)
class Tree:
    advertiser_id: int
    campaign_id: int
    ad_group_id: int
    ad_id: int


def build_tree(session: Session, **campaign: Any) -> Tree:
    advertiser = factories.advertiser(session)
    camp = factories.campaign(session, advertiser.id, **campaign)
    group = factories.ad_group(session, camp.id)
    ad = factories.ad(session, group.id)
    return Tree(advertiser.id, camp.id, group.id, ad.id)


@pytest.fixture
def tree(session: Session) -> Tree:
    return build_tree(session)


@pytest.fixture
def service_token(session: Session) -> str:
    return create_token(session, role=Role.SERVICE, name="ad server")[1]


def event(event_id: str, ad_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "IMPRESSION",
        "adId": ad_id,
        "costMicros": 2_500,
        "occurredAt": "2026-11-20T16:59:00Z",
    } | fields
