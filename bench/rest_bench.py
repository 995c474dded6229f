"""What the REST resource routes cost over the GraphQL operation they run.

Seeds the database of `bench/graphql_bench.py` (one advertiser, 60 paced campaigns with
ad groups and ads), then, in one process through ASGI (no sockets: the difference is
what is measured), sends two kinds of request in turn: the REST route, and the same
trusted operation on `/graphql` by its `documentId` with the same variables and token.
Both answer the same data (checked). Requests alternate REST, GraphQL, REST…; each round
prints the median time per request of both and the ratio REST / GraphQL. Usage:

    .venv/bin/python bench/rest_bench.py [--rounds 5] [--requests 200]
    scripts/with-services .venv/bin/python bench/rest_bench.py --database postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from graphql_bench import database, seed  # noqa: E402

from ads.api.app import create_app  # noqa: E402
from ads.api.graphql_app import make_graphql_app  # noqa: E402
from ads.config import Settings  # noqa: E402
from ads.node_ids import parse_global_id  # noqa: E402


async def _pair(
    client: httpx.AsyncClient, registry: Any, name: str, path: str, variables: dict[str, Any]
) -> tuple[Any, Any]:
    rest = await client.get(path)
    document = registry.named(name)
    graphql = await client.post(
        "/graphql", json={"documentId": document.id, "variables": variables}
    )
    assert rest.status_code == 200, rest.text
    assert graphql.status_code == 200, graphql.text
    return rest.json(), graphql.json()["data"]


async def _time(
    client: httpx.AsyncClient, rest: Any, graphql: Any, count: int
) -> tuple[float, float]:
    """Median seconds per request of each, over `count` pairs sent alternately (so that the
    machine's noise falls on both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for send, found in ((rest, times[0]), (graphql, times[1])):
            start = time.perf_counter()
            response = await send(client)
            found.append(time.perf_counter() - start)
            assert response.status_code == 200
    return statistics.median(times[0]), statistics.median(times[1])


def _answer(data: Any, keys: tuple[str, ...]) -> Any:
    """The REST answer the GraphQL data makes (the resource, a connection as a list)."""
    for key in keys:
        data = data[key]
    if isinstance(data, dict) and "pageInfo" in data:
        info = data["pageInfo"]
        return {
            "items": data["nodes"],
            "next": info["endCursor"] if info["hasNextPage"] else None,
            "totalCount": data["totalCount"],
        }
    return data


def _sender(registry: Any, name: str, path: str, variables: dict[str, Any]) -> tuple[Any, Any]:
    """The REST request of a case and, as its baseline, the operation by `documentId`."""
    body = {"documentId": registry.named(name).id, "variables": variables}
    return (lambda c: c.get(path)), (lambda c: c.post("/graphql", json=body))


async def run(url: str, rounds: int, requests: int) -> None:
    token, advertiser = seed(url)
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client,
    ):
        registry = make_graphql_app(Settings(database_url=url))[1]
        listed = await client.get(f"/v1/advertisers/{advertiser}/campaigns?first=1")
        campaign = listed.json()["items"][0]["id"]
        assert parse_global_id(campaign)[0] == "Campaign"
        groups = await client.get(f"/v1/campaigns/{campaign}/ad-groups?first=1")
        group = groups.json()["items"][0]["id"]
        # (case, operation, REST path, variables, response keys to the resource)
        table = [
            (
                "list of 50 campaigns",
                "ListCampaigns",
                f"/v1/advertisers/{advertiser}/campaigns?first=50",
                {"advertiserId": advertiser, "first": 50},
                ("advertiser", "campaigns"),
            ),
            (
                "50 campaigns by name",
                "ListCampaigns",
                f"/v1/advertisers/{advertiser}/campaigns?first=50&orderBy=NAME&direction=DESC",
                {
                    "advertiserId": advertiser,
                    "first": 50,
                    "orderBy": {"field": "NAME", "direction": "DESC"},
                },
                ("advertiser", "campaigns"),
            ),
            (
                "one campaign",
                "GetCampaign",
                f"/v1/campaigns/{campaign}",
                {"id": campaign},
                ("campaign",),
            ),
            (
                "one ad group (node)",
                "GetAdGroup",
                f"/v1/ad-groups/{group}",
                {"id": group},
                ("node",),
            ),
            (
                "ads of a group (node)",
                "ListAds",
                f"/v1/ad-groups/{group}/ads",
                {"adGroupId": group},
                ("node", "ads"),
            ),
        ]
        cases = {}
        for name, operation, path, variables, keys in table:
            rest, data = await _pair(client, registry, operation, path, variables)
            assert rest == _answer(data, keys), name
            cases[name] = _sender(registry, operation, path, variables)
        print(f"{'round':>5} {'case':<22} {'REST ms':>8} {'GraphQL ms':>10} {'ratio':>6} load")
        ratios: dict[str, list[float]] = {name: [] for name in cases}
        for number in range(1, rounds + 1):
            for name, (rest, graphql) in cases.items():
                rest_s, graphql_s = await _time(client, rest, graphql, requests)
                ratios[name].append(rest_s / graphql_s)
                load = os.getloadavg()[0]
                print(
                    f"{number:>5} {name:<22} {rest_s * 1e3:>8.3f} {graphql_s * 1e3:>10.3f} "
                    f"{rest_s / graphql_s:>6.2f} {load:.1f}"
                )
        for name, values in ratios.items():
            print(f"median ratio, {name}: {statistics.median(values):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with database(args.database) as url:
        asyncio.run(run(url, args.rounds, args.requests))


if __name__ == "__main__":
    main()
