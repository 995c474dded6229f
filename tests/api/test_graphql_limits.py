"""GraphQL documents are refused by their limits before any expensive work.

Each limit is met by the hostile document it exists for: a megabyte of aliases or of
`__typename`, a document of too many tokens, copies of one field (validation compares
them pairwise), a chain of fragments that doubles at every step, aliases of
`__typename`. The timings of these refusals are measured by
bench/graphql_limits_bench.py; here, what is refused, with which code, and that other
requests are answered meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.api.query_cache import QueryCache
from ads.config import Environment, Settings
from tests.api.conftest import World, post
from tests.databases import settings_for
from tests.live_server import serving

MEGABYTE_OF_ALIASES = "{ " + " ".join(f"x{i}: viewer {{ role }}" for i in range(40_000)) + " }"
MEGABYTE_OF_TYPENAMES = "{ " + " ".join(f"x{i}: __typename" for i in range(53_000)) + " }"


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


@pytest.mark.parametrize(
    "document", [MEGABYTE_OF_ALIASES, MEGABYTE_OF_TYPENAMES], ids=["aliases", "typename"]
)
@pytest.mark.parametrize(
    ("body_cap", "status", "code"),
    [(None, 413, "PAYLOAD_TOO_LARGE"), (1_048_576, 200, "MAX_TOKENS_EXCEEDED")],
    ids=["default-cap", "cap-raised-to-1MiB"],
)
def test_a_megabyte_document_is_refused_while_healthz_is_answered(
    settings: Settings,
    world: World,
    document: str,
    body_cap: int | None,
    status: int,
    code: str,
) -> None:
    """Refused by the /graphql body cap; with the cap raised to a megabyte, by the
    parser's token limit, which stops reading at the first token beyond it (a request
    error: 200 as application/json, no `data`)."""
    assert 900_000 < len(document) < settings.max_body_bytes  # under the general body limit
    if body_cap is not None:
        settings = settings_for(settings.database_url, graphql_max_body_bytes=body_cap)
    auth = {"Authorization": f"Bearer {world.tokens['ADMIN']}"}
    with serving(create_app(settings)) as url:
        refused: list[httpx.Response] = []
        hostile = threading.Thread(
            target=lambda: refused.append(
                httpx.post(f"{url}/graphql", json={"query": document}, headers=auth, timeout=60)
            )
        )
        health: list[int] = []
        with httpx.Client(base_url=url, timeout=60) as client:
            hostile.start()
            while hostile.is_alive() or len(health) < 3:
                health.append(client.get("/healthz").status_code)
            hostile.join()
    assert set(health) == {200}
    (response,) = refused
    assert response.status_code == status
    assert _codes(response.json()) == [code]
    assert "data" not in response.json()


def test_a_new_document_being_validated_does_not_hold_up_other_requests(
    settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation is held until /healthz has been answered: on the event loop, it would
    never be (the health check would time out and this test fail)."""
    entered, release = threading.Event(), threading.Event()
    prepare = QueryCache._prepare

    def held(self: QueryCache, query: str) -> Any:
        entered.set()
        release.wait(timeout=30)
        return prepare(self, query)

    monkeypatch.setattr(QueryCache, "_prepare", held)
    auth = {"Authorization": f"Bearer {world.tokens['ADMIN']}"}
    answers: list[httpx.Response] = []
    with serving(create_app(settings)) as url:
        request = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    f"{url}/graphql",
                    json={"query": "{ viewer { role } }"},
                    headers=auth,
                    timeout=60,
                )
            )
        )
        request.start()
        assert entered.wait(timeout=30)
        try:
            health = httpx.get(f"{url}/healthz", timeout=10)
        finally:
            release.set()
            request.join()
    assert health.status_code == 200
    assert answers[0].json()["data"] == {"viewer": {"role": "ADMIN"}}


def test_a_document_over_the_token_limit_is_refused_at_parse(
    client: TestClient, world: World
) -> None:
    document = "{ " + " ".join(f"x{i}: __typename" for i in range(1_500)) + " }"
    assert len(document.encode()) < Settings().graphql_max_body_bytes
    body = post(client, document, token=world.tokens["ADMIN"]).json()
    assert _codes(body) == ["MAX_TOKENS_EXCEEDED"]
    assert "data" not in body


def test_typename_counts_toward_aliases(client: TestClient, world: World) -> None:
    document = "{ " + " ".join(f"x{i}: __typename" for i in range(100)) + " }"
    body = post(client, document, token=world.tokens["ADMIN"]).json()
    assert _codes(body) == ["MAX_ALIASES_EXCEEDED"]
    assert "data" not in body


def test_copies_of_one_field_are_refused_before_validation_compares_them(
    client: TestClient, world: World
) -> None:
    token = world.tokens["ADMIN"]
    typenames = post(client, "{ " + "__typename " * 300 + "}", token=token).json()
    assert _codes(typenames) == ["MAX_REPEATS_EXCEEDED"]
    nested = "{ " + ("advertisers(first: 1) { nodes { " + "name " * 10 + "} } ") * 10 + "}"
    assert _codes(post(client, nested, token=token).json()) == ["MAX_REPEATS_EXCEEDED"]
    fine = "{ " + "viewer { role } " * 20 + "}"
    assert post(client, fine, token=token).json()["data"] == {"viewer": {"role": "ADMIN"}}


def test_a_doubling_chain_of_fragments_is_counted_not_walked(
    client: TestClient, world: World
) -> None:
    steps = 40  # 2**40 fields once expanded: walking them would never finish
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(steps)
    )
    document = f"{{ ...F0 }} {fragments} fragment F{steps} on Query {{ viewer {{ role }} }}"
    body = post(client, document, token=world.tokens["ADMIN"]).json()
    assert "MAX_FIELDS_EXCEEDED" in _codes(body)


def test_fields_and_depth_count_through_fragments(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    fragments = "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(10))
    wide = f"{{ ...F0 }} {fragments} fragment F10 on Query {{ viewer {{ role }} }}"
    assert _codes(post(client, wide, token=token).json())[0] == "MAX_FIELDS_EXCEEDED"
    deep = "fragment D on Campaign { advertiser { campaigns(first: 1) { nodes { advertiser {"
    deep += " campaigns(first: 1) { nodes { advertiser { campaigns(first: 1) { nodes { name"
    deep += " } } } } } } } } } }"  # 4 levels where it is spread, then 10: 14
    query = "{ advertisers(first: 1) { nodes { campaigns(first: 1) { nodes { ...D } } } } } "
    assert _codes(post(client, query + deep, token=token).json()) == ["MAX_DEPTH_EXCEEDED"]


def test_the_limits_are_settings(settings: Settings, world: World) -> None:
    tight = settings_for(
        settings.database_url,
        graphql_max_tokens=100,
        graphql_max_fields=10,
        graphql_max_aliases=1,
        graphql_max_repeats=2,
        graphql_max_body_bytes=2048,
    )
    token = world.tokens["ADMIN"]
    with TestClient(create_app(tight)) as client:
        assert _codes(post(client, "{ " + "x: __typename " * 40 + "}", token=token).json()) == [
            "MAX_TOKENS_EXCEEDED"
        ]
        two = "{ a: viewer { role } b: viewer { role } }"
        assert _codes(post(client, two, token=token).json()) == ["MAX_ALIASES_EXCEEDED"]
        assert _codes(post(client, "{ " + "__typename " * 3 + "}", token=token).json()) == [
            "MAX_REPEATS_EXCEEDED"
        ]
        within = "{ viewer { role } f: __typename }"
        assert post(client, within, token=token).json()["data"]["viewer"] == {"role": "ADMIN"}
        big = post(client, "{ viewer { role } }" + " " * 3000, token=token)
        assert big.status_code == 413


@pytest.fixture
def production(settings: Settings) -> Iterator[TestClient]:
    prod = settings_for(settings.database_url, env=Environment.PRODUCTION, introspection=False)
    with TestClient(create_app(prod)) as client:
        yield client


MISSPELT = [
    "{ viewr { role } }",  # a field
    "{ advertisers(frist: 1) { totalCount } }",  # an argument
    "{ advertisers(first: 1, status: ACTIV) { totalCount } }",  # an enum value
    "query($s: AdvertiserStatu) { advertisers(first: 1, status: $s) { totalCount } }",  # a type
]


@pytest.mark.parametrize("document", MISSPELT)
def test_no_suggestions_when_introspection_is_off(
    production: TestClient, client: TestClient, world: World, document: str
) -> None:
    token = world.tokens["ADMIN"]
    hidden = post(production, document, token=token).json()
    assert hidden["errors"]
    assert "Did you mean" not in str(hidden)
    shown = post(client, document, token=token).json()
    assert "Did you mean" in str(shown)  # development keeps them: introspection is on


def test_no_suggestions_in_variable_errors_when_introspection_is_off(
    production: TestClient, world: World
) -> None:
    query = "query($s: AdvertiserStatus) { advertisers(first: 1, status: $s) { totalCount } }"
    body = post(production, query, {"s": "ACTIV"}, token=world.tokens["ADMIN"]).json()
    assert body["errors"]
    assert "Did you mean" not in str(body)
