"""GraphQL test fixtures: two tenants with a campaign tree each, and a token per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from httpx import Response
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.tokens.service import create_token, revoke_token
from tests import factories


@dataclass
class Tree:
    """An advertiser with one campaign, ad group and ad, as global IDs."""

    advertiser: str
    campaign: str
    ad_group: str
    ad: str
    advertiser_pk: int
    campaign_pk: int


@dataclass
class World:
    acme: Tree
    globex: Tree
    tokens: dict[str, str]


def make_tree(session: Session, name: str, currency: str) -> Tree:
    advertiser = factories.advertiser(session, name=name, currency=currency)
    campaign = factories.campaign(session, advertiser.id, name=f"{name} launch")
    group = factories.ad_group(session, campaign.id)
    ad = factories.ad(session, group.id)
    return Tree(
        advertiser=global_id("Advertiser", advertiser.id),
        campaign=global_id("Campaign", campaign.id),
        ad_group=global_id("AdGroup", group.id),
        ad=global_id("Ad", ad.id),
        advertiser_pk=advertiser.id,
        campaign_pk=campaign.id,
    )


@pytest.fixture
def world(session: Session) -> World:
    acme = make_tree(session, "Acme", "USD")
    globex = make_tree(session, "Globex", "EUR")
    tokens = {
        "ADMIN": create_token(session, role=Role.ADMIN)[1],
        "ADVERTISER": create_token(
            session, role=Role.ADVERTISER, advertiser_ids=[acme.advertiser_pk]
        )[1],
        "FINANCE": create_token(session, role=Role.FINANCE)[1],
        "SERVICE": create_token(session, role=Role.SERVICE)[1],
    }
    revoked, clear = create_token(session, role=Role.ADMIN)
    revoke_token(session, revoked.id)
    tokens["REVOKED"] = clear
    return World(acme=acme, globex=globex, tokens=tokens)


def post(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None,
    headers: dict[str, str] | None = None,
) -> Response:
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql", json=body, headers=all_headers)


def gql(
    client: TestClient, query: str, variables: dict[str, Any] | None = None, *, token: str
) -> dict[str, Any]:
    """Run an operation that must succeed at the HTTP level; return the whole JSON body."""
    response = post(client, query, variables, token=token)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def admin_token(session: Session) -> str:
    return create_token(session, role=Role.ADMIN)[1]
