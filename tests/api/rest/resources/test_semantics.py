"""REST semantics of the resource routes: statuses, ETags, pages, bad input, metrics."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.config import Settings
from tests import factories
from tests.api.conftest import World
from tests.api.rest.resources.support import bearer, rest


def test_a_refused_input_is_422_keyed_by_field_and_changes_nothing(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADMIN"]
    path = f"/v1/campaigns/{world.acme.campaign}"
    refused = rest(client, "PATCH", path, token, json={"budgetMicros": "0", "name": "Z"})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["fields"] == {
        "budgetMicros": [{"code": "ZERO_BUDGET", "message": body["errors"][0]["message"]}]
    }
    assert body["errors"][0]["extensions"] == {"code": "ZERO_BUDGET", "field": "budgetMicros"}
    after = rest(client, "GET", path, token).json()
    assert (after["name"], after["version"]) == ("Acme launch", 1)


def test_a_stale_version_is_409_and_a_stale_if_match_is_412(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADMIN"]
    path = f"/v1/campaigns/{world.acme.campaign}"
    read = rest(client, "GET", path, token)
    tag = read.headers["etag"]
    assert tag.startswith('"1.')
    changed = rest(client, "PATCH", path, token, json={"name": "First"}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.headers["etag"].startswith('"2.')
    stale_header = rest(
        client, "PATCH", path, token, json={"name": "Late"}, headers={"If-Match": tag}
    )
    assert stale_header.status_code == 412
    assert stale_header.json()["errors"][0]["extensions"]["code"] == "PRECONDITION_FAILED"
    stale_body = rest(client, "PATCH", path, token, json={"name": "Late", "expectedVersion": 1})
    assert stale_body.status_code == 409
    assert stale_body.json()["errors"][0]["extensions"]["code"] == "STALE_VERSION"
    garbage = rest(
        client, "PATCH", path, token, json={"name": "Late"}, headers={"If-Match": "nope"}
    )
    assert garbage.status_code == 412
    assert rest(client, "GET", path, token).json()["name"] == "First"
    anything = rest(client, "PATCH", path, token, json={"name": "Any"}, headers={"If-Match": "*"})
    assert anything.status_code == 200


def test_if_none_match_answers_304_until_the_resource_changes(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADMIN"]
    path = f"/v1/ads/{world.acme.ad}"
    tag = rest(client, "GET", path, token).headers["etag"]
    same = rest(client, "GET", path, token, headers={"If-None-Match": tag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == tag
    rest(client, "PATCH", path, token, json={"name": "Banner C"})
    fresh = rest(client, "GET", path, token, headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.json()["name"] == "Banner C"


def test_a_list_pages_by_cursor_with_next_and_a_link_header(
    client: TestClient, world: World, session: Session
) -> None:
    for n in range(4):
        factories.campaign(session, world.acme.advertiser_pk, name=f"Extra {n}")
    token = world.tokens["ADVERTISER"]
    path = f"/v1/advertisers/{world.acme.advertiser}/campaigns"
    seen: list[str] = []
    page = rest(client, "GET", path, token, params={"first": "2"})
    while True:
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["totalCount"] == 5
        seen += [c["name"] for c in body["items"]]
        if body["next"] is None:
            assert "link" not in page.headers
            break
        link = page.headers["link"]
        assert link.endswith('>; rel="next"')
        url = link[1 : link.index(">")]
        assert f"after={body['next']}" in url
        page = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert seen == ["Acme launch", "Extra 0", "Extra 1", "Extra 2", "Extra 3"]


def test_a_sorted_list_pages_by_its_link_in_its_order(
    client: TestClient, world: World, session: Session
) -> None:
    for name, budget in (("delta", 30), ("alpha", 10), ("echo", 20), ("bravo", 30)):
        factories.campaign(
            session, world.acme.advertiser_pk, name=name, budget_micros=budget * 10**6
        )
    token = world.tokens["ADVERTISER"]
    path = f"/v1/advertisers/{world.acme.advertiser}/campaigns"

    def walk(params: dict[str, str]) -> list[str]:
        seen: list[str] = []
        page = rest(client, "GET", path, token, params={"first": "2", **params})
        while True:
            assert page.status_code == 200, page.text
            seen += [c["name"] for c in page.json()["items"]]
            if page.json()["next"] is None:
                return seen
            link = page.headers["link"]
            page = client.get(link[1 : link.index(">")], headers=bearer(token))

    assert walk({"orderBy": "NAME"}) == ["Acme launch", "alpha", "bravo", "delta", "echo"]
    assert walk({"orderBy": "NAME", "direction": "DESC"}) == [
        "echo",
        "delta",
        "bravo",
        "alpha",
        "Acme launch",
    ]
    # Acme launch's budget is 100; bravo and delta tie: creation order, reversed.
    assert walk({"orderBy": "BUDGET", "direction": "DESC"}) == [
        "Acme launch",
        "bravo",
        "delta",
        "echo",
        "alpha",
    ]
    assert walk({"orderBy": "CREATED_AT", "direction": "ASC"}) == walk({})


def test_a_bad_order_is_400_and_names_what_is_accepted(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    path = f"/v1/advertisers/{world.acme.advertiser}/campaigns"
    for params, words in (
        ({"orderBy": "COLOUR"}, "`orderBy` must be one of CREATED_AT, NAME, BUDGET, UPDATED_AT"),
        ({"orderBy": "name"}, "not `name`"),
        ({"orderBy": "NAME", "direction": "UP"}, "`direction` must be one of ASC, DESC"),
        ({"direction": "DESC"}, "`direction` goes with `orderBy`"),
        ({"orderBy": "NAME", "sort": "x"}, "unknown query parameter `sort`"),
    ):
        response = rest(client, "GET", path, token, params=params)
        assert response.status_code == 400, (params, response.text)
        error = response.json()["errors"][0]
        assert words in error["message"], response.text
        assert error["extensions"]["code"] == "BAD_REQUEST"
    repeated = client.get(f"{path}?orderBy=NAME&orderBy=BUDGET", headers=bearer(token))
    assert repeated.status_code == 400


def test_bad_query_strings_and_bodies_are_400_or_415(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    campaigns = f"/v1/advertisers/{world.acme.advertiser}/campaigns"
    for params, words in (
        ({"first": "ten"}, "integer"),
        ({"frist": "2"}, "unknown query parameter"),
        ({"status": "SLEEPING"}, "SLEEPING"),
        ({"first": "1000"}, "at most"),
        ({"after": "not-a-cursor"}, "cursor"),
    ):
        response = rest(client, "GET", campaigns, token, params=params)
        assert response.status_code == 400, (params, response.text)
        assert words in response.json()["errors"][0]["message"], response.text
    stats = f"/v1/campaigns/{world.acme.campaign}/stats"
    assert rest(client, "GET", stats, token, params={"from": "2026-11-01"}).status_code == 400
    path = f"/v1/campaigns/{world.acme.campaign}"
    text = client.patch(
        path,
        content=b"name=x",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert text.status_code == 415
    broken = client.patch(
        path,
        content=b"{",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    listed = rest(client, "PATCH", path, token, json=["name"])
    assert listed.status_code == 400
    unknown = rest(client, "PATCH", path, token, json={"colour": "red"})
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["errors"][0]["message"]
    other_id = rest(client, "PATCH", path, token, json={"id": world.globex.campaign})
    assert other_id.status_code == 400
    assert rest(client, "GET", path, token).json()["version"] == 1


def test_a_malformed_or_wrong_type_id_is_404(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    for raw in ("0", "-3", "99999999999999999999", "bm9wZQ", world.acme.advertiser):
        response = rest(client, "GET", f"/v1/campaigns/{raw}", token)
        assert response.status_code == 404, raw


def test_each_route_counts_its_requests_in_metrics(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    line = (
        'ads_rest_requests_total{method="GET",operation="GetAd",route="/v1/ads/{id}",status="%s"}'
    )

    def count(status: str) -> float:
        text = client.get("/metrics").text
        found = [row for row in text.splitlines() if row.startswith(line % status)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    before_ok, before_missing = count("200"), count("404")
    rest(client, "GET", f"/v1/ads/{world.acme.ad}", token)
    rest(client, "GET", f"/v1/ads/{world.acme.ad}", token)
    rest(client, "GET", "/v1/ads/424242", token)
    assert count("200") == before_ok + 2
    assert count("404") == before_missing + 1


def test_the_graphql_cost_limit_holds_for_a_route_and_its_variables(
    settings: Settings, world: World
) -> None:
    limited = settings.model_copy(update={"graphql_max_cost": 250})
    with TestClient(create_app(limited)) as client:
        token = world.tokens["ADMIN"]
        path = f"/v1/advertisers/{world.acme.advertiser}/campaigns"
        assert rest(client, "GET", path, token, params={"first": "10"}).status_code == 200
        refused = rest(client, "GET", path, token, params={"first": "100"})
        assert refused.status_code == 400, refused.text
        assert "maximum cost of 250" in refused.json()["errors"][0]["message"]


def test_head_answers_a_gets_status_and_headers_without_the_body(
    client: TestClient, world: World, session: Session
) -> None:
    factories.campaign(session, world.acme.advertiser_pk, name="Second")
    token = world.tokens["ADVERTISER"]
    one = f"/v1/campaigns/{world.acme.campaign}"
    got = rest(client, "GET", one, token)
    head = rest(client, "HEAD", one, token)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == got.headers["content-length"]
    unchanged = rest(client, "HEAD", one, token, headers={"If-None-Match": got.headers["etag"]})
    assert unchanged.status_code == 304
    listed = f"/v1/advertisers/{world.acme.advertiser}/campaigns"
    page = rest(client, "HEAD", listed, token, params={"first": "1"})
    assert page.status_code == 200
    assert (
        page.headers["link"]
        == rest(client, "GET", listed, token, params={"first": "1"}).headers["link"]
    )
    theirs = rest(client, "HEAD", f"/v1/campaigns/{world.globex.campaign}", token)
    assert (theirs.status_code, theirs.content) == (404, b"")
    assert rest(client, "HEAD", one, None).status_code == 401


def test_head_is_counted_as_head_in_metrics(client: TestClient, world: World) -> None:
    line = (
        'ads_rest_requests_total{method="HEAD",operation="GetAd",route="/v1/ads/{id}",status="200"}'
    )
    rest(client, "HEAD", f"/v1/ads/{world.acme.ad}", world.tokens["ADMIN"])
    assert any(row.startswith(line + " ") for row in client.get("/metrics").text.splitlines())
