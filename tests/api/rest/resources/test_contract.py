"""Every resource route answers exactly what its GraphQL operation returns, same token."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from ads.api.ids import global_id
from tests.api.conftest import World
from tests.api.rest.resources.support import as_list, dig, graphql, registry, rest


def _reads(world: World) -> list[tuple[str, str, dict[str, Any], dict[str, Any], tuple[str, ...]]]:
    """(operation, path, query string, variables, keys to the resource) of every GET."""
    acme = world.acme
    return [
        ("ListAdvertisers", "/v1/advertisers", {}, {}, ("advertisers",)),
        (
            "GetAdvertiser",
            f"/v1/advertisers/{acme.advertiser}",
            {},
            {"id": acme.advertiser},
            ("advertiser",),
        ),
        (
            "ListCampaigns",
            f"/v1/advertisers/{acme.advertiser}/campaigns",
            {"first": "5"},
            {"advertiserId": acme.advertiser, "first": 5},
            ("advertiser", "campaigns"),
        ),
        (
            "ListCampaigns",
            f"/v1/advertisers/{acme.advertiser}/campaigns",
            {"orderBy": "NAME", "direction": "DESC"},
            {"advertiserId": acme.advertiser, "orderBy": {"field": "NAME", "direction": "DESC"}},
            ("advertiser", "campaigns"),
        ),
        (
            "ListCampaigns",
            f"/v1/advertisers/{acme.advertiser}/campaigns",
            {"orderBy": "BUDGET", "first": "2"},
            {"advertiserId": acme.advertiser, "orderBy": {"field": "BUDGET"}, "first": 2},
            ("advertiser", "campaigns"),
        ),
        ("GetCampaign", f"/v1/campaigns/{acme.campaign}", {}, {"id": acme.campaign}, ("campaign",)),
        (
            "ListAdGroups",
            f"/v1/campaigns/{acme.campaign}/ad-groups",
            {},
            {"campaignId": acme.campaign},
            ("campaign", "adGroups"),
        ),
        ("GetAdGroup", f"/v1/ad-groups/{acme.ad_group}", {}, {"id": acme.ad_group}, ("node",)),
        (
            "ListAds",
            f"/v1/ad-groups/{acme.ad_group}/ads",
            {},
            {"adGroupId": acme.ad_group},
            ("node", "ads"),
        ),
        ("GetAd", f"/v1/ads/{acme.ad}", {}, {"id": acme.ad}, ("node",)),
        (
            "GetCampaignPacingCurve",
            f"/v1/campaigns/{acme.campaign}/pacing-curve",
            {"day": "2026-11-02"},
            {"id": acme.campaign, "day": "2026-11-02"},
            ("campaign", "pacingCurve"),
        ),
        (
            "GetCampaignStats",
            f"/v1/campaigns/{acme.campaign}/stats",
            {"from": "2026-11-01", "to": "2026-11-03"},
            {"id": acme.campaign, "from": "2026-11-01", "to": "2026-11-03"},
            ("campaign", "stats"),
        ),
        (
            "ListInvoices",
            f"/v1/advertisers/{acme.advertiser}/invoices",
            {"allVersions": "true"},
            {"advertiserId": acme.advertiser, "allVersions": True},
            ("advertiser", "invoices"),
        ),
    ]


@pytest.mark.parametrize("role", ["ADMIN", "ADVERTISER", "FINANCE"])
def test_every_read_answers_the_operations_data(
    client: TestClient, world: World, role: str
) -> None:
    token = world.tokens[role]
    for operation, path, query, variables, keys in _reads(world):
        response = rest(client, "GET", path, token, params=query)
        assert response.status_code == 200, (operation, response.text)
        expected = dig(graphql(client, operation, variables, token), *keys)
        if isinstance(expected, dict) and "pageInfo" in expected:
            expected = as_list(expected)
        assert response.json() == expected, operation
        assert response.headers["etag"].startswith('"')


def test_the_numeric_id_answers_as_the_global_id(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    by_global = rest(client, "GET", f"/v1/campaigns/{world.acme.campaign}", token)
    by_number = rest(client, "GET", f"/v1/campaigns/{world.acme.campaign_pk}", token)
    assert by_number.status_code == 200
    assert by_number.json() == by_global.json()
    assert by_number.json()["databaseId"] == str(world.acme.campaign_pk)


def test_another_tenants_resource_is_the_same_404_as_a_missing_one(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADVERTISER"]  # acme's
    for operation, path, query, _, _ in _reads(world):
        if operation == "ListAdvertisers":
            continue
        own = rest(client, "GET", path, token, params=query)
        assert own.status_code == 200, operation
        other = rest(client, "GET", _swap(path, world), token, params=query)
        missing = rest(client, "GET", _missing(path, world), token, params=query)
        assert other.status_code == missing.status_code == 404, (operation, other.text)
        assert (
            other.json()
            == missing.json()
            == {"errors": [{"message": "not found", "extensions": {"code": "NOT_FOUND"}}]}
        )
    listed = rest(client, "GET", "/v1/advertisers", token).json()["items"]
    assert [a["id"] for a in listed] == [world.acme.advertiser]


def _swap(path: str, world: World) -> str:
    for mine, theirs in (
        (world.acme.advertiser, world.globex.advertiser),
        (world.acme.campaign, world.globex.campaign),
        (world.acme.ad_group, world.globex.ad_group),
        (world.acme.ad, world.globex.ad),
    ):
        path = path.replace(mine, theirs)
    return path


def _missing(path: str, world: World) -> str:
    for kind, mine in (
        ("Advertiser", world.acme.advertiser),
        ("Campaign", world.acme.campaign),
        ("AdGroup", world.acme.ad_group),
        ("Ad", world.acme.ad),
    ):
        path = path.replace(mine, global_id(kind, 987654))
    return path


def test_a_change_answers_the_operations_payload_object(client: TestClient, world: World) -> None:
    token = world.tokens["ADVERTISER"]
    changes = (
        (
            "PatchCampaign",
            f"/v1/campaigns/{world.acme.campaign}",
            world.acme.campaign,
            "campaign",
            {"name": "Renamed", "budgetMicros": "75000000"},
        ),
        (
            "PatchAdGroup",
            f"/v1/ad-groups/{world.acme.ad_group}",
            world.acme.ad_group,
            "adGroup",
            {"name": "Narrow", "bidMicros": 3_000_000},
        ),
        ("PatchAd", f"/v1/ads/{world.acme.ad}", world.acme.ad, "ad", {"name": "Banner B"}),
    )
    for operation, path, node, key, body in changes:
        response = rest(client, "PATCH", path, token, json=body)
        assert response.status_code == 200, (operation, response.text)
        # The same change again through GraphQL changes nothing more: the same object.
        data = graphql(client, operation, {"input": {"id": node, **body}}, token)
        payload = next(iter(data.values()))
        assert payload["userErrors"] == []
        assert response.json() == payload[key], operation
        assert response.json()["version"] == 2


def _creates(world: World) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(operation, path, body, what the path fills in `input`) of every create."""
    return [
        (
            "CreateAdvertiser",
            "/v1/advertisers",
            {"name": "Initech", "currency": "GBP", "timezone": "Europe/London"},
            {},
        ),
        (
            "CreateCampaign",
            f"/v1/advertisers/{world.acme.advertiser_pk}/campaigns",
            {
                "name": "Spring",
                "objective": "TRAFFIC",
                "startAt": "2026-12-01T00:00:00Z",
                "budgetType": "DAILY",
                "budgetMicros": 5_000_000,
            },
            {"advertiserId": world.acme.advertiser},
        ),
        (
            "CreateAdGroup",
            f"/v1/campaigns/{world.acme.campaign}/ad-groups",
            {
                "name": "Retargeting",
                "bidMicros": "1500000",
                "billingEvent": "CLICK",
                "targeting": {"geo": ["FR"]},
            },
            {"campaignId": world.acme.campaign},
        ),
        (
            "CreateAd",
            f"/v1/ad-groups/{world.acme.ad_group}/ads",
            {
                "name": "Video",
                "creativeUrl": "https://cdn.example.com/v.mp4",
                "destinationUrl": "https://example.com/v",
            },
            {"adGroupId": world.acme.ad_group},
        ),
    ]


@pytest.mark.parametrize("index", range(4))
def test_a_create_answers_201_with_the_object_and_its_location(
    client: TestClient, world: World, index: int
) -> None:
    operation, path, body, filled = _creates(world)[index]
    token = world.tokens["ADMIN" if operation == "CreateAdvertiser" else "ADVERTISER"]
    response = rest(client, "POST", path, token, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"/{created['id']}")
    data = graphql(client, operation, {"input": {**body, **filled}}, token)
    payload = next(iter(data.values()))
    assert payload["userErrors"] == []
    twin = next(v for k, v in payload.items() if k != "userErrors")
    volatile = {"id", "databaseId", "createdAt", "updatedAt"}
    assert {k: v for k, v in created.items() if k not in volatile} == {
        k: v for k, v in twin.items() if k not in volatile
    }
    again = rest(client, "GET", response.headers["location"], token)
    assert again.status_code == 200
    assert again.json() == created


def test_an_advertiser_changes_as_its_operation_says(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    body = {"name": "Acme Global", "spendLimitMicros": "900000000"}
    response = rest(
        client, "PATCH", f"/v1/advertisers/{world.acme.advertiser_pk}", token, json=body
    )
    assert response.status_code == 200, response.text
    data = graphql(
        client, "PatchAdvertiser", {"input": {"id": world.acme.advertiser, **body}}, token
    )
    assert response.json() == data["updateAdvertiser"]["advertiser"]
    assert response.json()["spendLimit"] == {"amountMicros": "900000000", "currency": "USD"}


def test_another_tenants_object_cannot_be_changed_and_is_not_found(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADVERTISER"]  # acme's
    for path in (
        f"/v1/campaigns/{world.globex.campaign}",
        f"/v1/ad-groups/{world.globex.ad_group}",
        f"/v1/ads/{world.globex.ad}",
        f"/v1/advertisers/{world.globex.advertiser}",
    ):
        theirs = rest(client, "PATCH", path, token, json={"name": "Mine now"})
        missing = rest(
            client, "PATCH", path.rsplit("/", 1)[0] + "/987654", token, json={"name": "X"}
        )
        assert theirs.status_code == missing.status_code == 404, (path, theirs.text)
        assert theirs.json() == missing.json()
    created = rest(
        client,
        "POST",
        f"/v1/advertisers/{world.globex.advertiser}/campaigns",
        token,
        json=_creates(world)[1][2],
    )
    assert created.status_code == 404
    names = rest(client, "GET", f"/v1/campaigns/{world.globex.campaign}", world.tokens["ADMIN"])
    assert names.json()["name"] == "Globex launch"


def test_finance_reads_everything_and_changes_nothing(client: TestClient, world: World) -> None:
    token = world.tokens["FINANCE"]
    assert rest(client, "GET", f"/v1/campaigns/{world.globex.campaign}", token).status_code == 200
    refused = rest(
        client, "PATCH", f"/v1/campaigns/{world.acme.campaign}", token, json={"name": "X"}
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data = graphql(
        client, "PatchCampaign", {"input": {"id": world.acme.campaign, "name": "X"}}, token
    )
    assert data["updateCampaign"]["userErrors"][0]["code"] == "FORBIDDEN"
    unchanged = rest(client, "GET", f"/v1/campaigns/{world.acme.campaign}", world.tokens["ADMIN"])
    assert unchanged.json()["name"] == "Acme launch"
    assert unchanged.json()["version"] == 1
    created = rest(
        client,
        "POST",
        "/v1/advertisers",
        token,
        json={"name": "Initech", "currency": "USD", "timezone": "UTC"},
    )
    assert created.status_code == 403
    export = rest(
        client,
        "POST",
        "/v1/billing-exports",
        token,
        json={"from": "2026-11-01", "to": "2026-11-02", "allowOpenPeriod": True},
    )
    assert export.status_code == 201, export.text
    job = export.json()
    assert job["status"] == "PENDING"
    read = rest(client, "GET", f"/v1/billing-exports/{job['databaseId']}", token)
    assert (
        read.json()
        == graphql(client, "GetBillingExport", {"id": job["id"]}, token)["billingExport"]
    )


def test_unauthenticated_and_service_tokens_are_refused_before_any_work(
    client: TestClient, world: World
) -> None:
    path = f"/v1/campaigns/{world.acme.campaign}"
    anonymous = rest(client, "GET", path, None)
    assert anonymous.status_code == 401
    assert "bearer" in anonymous.headers["www-authenticate"].lower()
    assert rest(client, "GET", path, world.tokens["REVOKED"]).status_code == 401
    assert rest(client, "GET", path, world.tokens["SERVICE"]).status_code == 403
    assert rest(client, "PATCH", path, None, json={"name": "X"}).status_code == 401


def test_every_route_has_its_contract_test(world: World) -> None:
    declared = {d.name for d in registry() if d.source.startswith("rest/")}
    covered = {
        *(read[0] for read in _reads(world)),
        *(create[0] for create in _creates(world)),
        "PatchCampaign",
        "PatchAdGroup",
        "PatchAd",
        "PatchAdvertiser",
        # tests/api/rest/resources/test_billing_contract.py:
        "GetInvoice",
        "RequestBillingExport",
        "GetBillingExport",
    }
    assert declared == covered
