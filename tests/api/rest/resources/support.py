"""Calling a resource route and the GraphQL operation it declares, with one token."""

from __future__ import annotations

from typing import Any

from httpx import Response
from starlette.testclient import TestClient

from ads.api.graphql_app import make_graphql_app
from ads.api.trusted_documents import TrustedDocuments
from ads.config import Settings

_REGISTRY: list[TrustedDocuments] = []


def registry() -> TrustedDocuments:
    if not _REGISTRY:
        _REGISTRY.append(make_graphql_app(Settings())[1])
    return _REGISTRY[0]


def bearer(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def rest(
    client: TestClient,
    method: str,
    path: str,
    token: str | None,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return client.request(
        method, path, json=json, params=params, headers={**bearer(token), **(headers or {})}
    )


def graphql(client: TestClient, operation: str, variables: dict[str, Any], token: str) -> Any:
    """The `data` of a trusted operation run on /graphql by its document id."""
    document = registry().named(operation)
    response = client.post(
        "/graphql",
        json={"documentId": document.id, "variables": variables},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data[key]
    return data


def as_list(connection: dict[str, Any]) -> dict[str, Any]:
    """A connection as the REST list answers it."""
    info = connection["pageInfo"]
    return {
        "items": connection["nodes"],
        "next": info["endCursor"] if info["hasNextPage"] else None,
        "totalCount": connection["totalCount"],
    }
