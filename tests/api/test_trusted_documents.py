"""Trusted documents: registered by SHA-256 at start, sent by id, and (optionally) required."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from ads.api import query_cache
from ads.api.app import create_app
from ads.api.graphql_app import make_query_cache
from ads.api.trusted_documents import (
    DOCUMENTS_DIR,
    DocumentError,
    TrustedDocuments,
    document_id,
)
from ads.config import Settings
from tests.api.conftest import World, post
from tests.api.documents import registered
from tests.databases import settings_for

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _registry() -> TrustedDocuments:
    return registered()


def _send(client: TestClient, body: dict[str, Any], token: str, accept: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if accept:
        headers["Accept"] = accept
    return client.post("/graphql", json=body, headers=headers)


def _campaign_list(world: World) -> dict[str, Any]:
    return {"advertiser": world.acme.advertiser, "first": 10}


def test_every_registered_file_is_one_named_operation_keyed_by_its_sha256() -> None:
    registry = _registry()
    files = [p for p in sorted(DOCUMENTS_DIR.rglob("*.graphql")) if p.parent.name != "fragments"]
    assert len(registry) == len(files) > 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not registry.named(path.stem).fragments:
            text_sent = text
        else:  # the file, then each shared fragment it uses as written, in name order
            shared = registry.named(path.stem).fragments
            text_sent = text.rstrip("\n") + "\n" + "".join(f"\n{f.text}\n" for f in shared)
        found = registry.get("sha256:" + hashlib.sha256(text_sent.encode()).hexdigest())
        assert found is not None
        assert found.name == path.stem
        assert found.text == text_sent
        assert found.prepared.errors == ()
    assert registry.manifest("dashboard")["CampaignList"] == registry.named("CampaignList").id


def test_the_rest_documents_write_each_resource_once_in_shared_fragments() -> None:
    registry = _registry()
    campaign = registry.named("GetCampaign")
    assert [f.name for f in campaign.fragments] == ["CampaignFields"]
    assert campaign.text.endswith(campaign.fragments[0].text + "\n")
    assert campaign.text.startswith((DOCUMENTS_DIR / "rest" / "GetCampaign.graphql").read_text())
    patch = registry.named("PatchCampaign")
    assert [f.name for f in patch.fragments] == ["CampaignFields", "UserErrorFields"]
    assert all(
        "pacingMode" not in (DOCUMENTS_DIR / d.source).read_text()
        for d in registry
        if d.source.startswith("rest/") and "CampaignFields" in d.text
    )


def _client_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "client" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


SHARED = {
    "fragments/Viewer.graphql": "# The viewer.\nfragment Who on Viewer {\n  role\n  ...Reach\n}\n",
    "fragments/Reach.graphql": "fragment Reach on Viewer { seesAllAdvertisers }\n",
}


def test_a_document_gets_the_shared_fragments_it_uses_through_others_too(
    tmp_path: Path, client: TestClient, world: World
) -> None:
    root = _client_folder(tmp_path, {**SHARED, "Me.graphql": "query Me { viewer { ...Who } }\n"})
    registry = TrustedDocuments.load(make_query_cache(Settings()), root)
    me = registry.named("Me")
    expected = (
        "query Me { viewer { ...Who } }\n"
        "\nfragment Reach on Viewer { seesAllAdvertisers }\n"
        "\nfragment Who on Viewer {\n  role\n  ...Reach\n}\n"
    )
    assert me.text == expected
    assert me.id == document_id(expected)
    assert len(registry) == 1
    answer = post(client, me.text, token=world.tokens["ADMIN"])
    assert answer.json()["data"] == {"viewer": {"role": "ADMIN", "seesAllAdvertisers": True}}


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"Me.graphql": "query Me { viewer { role } }"}, "fragment Reach is used by no document"),
        (
            {"Me.graphql": "query Me { viewer { ...Who } }\nfragment Who on Viewer { role }"},
            "fragment Who is shared (client/fragments/Viewer.graphql)",
        ),
        (
            {
                "Me.graphql": "query Me { viewer { ...Who } }",
                "fragments/Again.graphql": "fragment Who on Viewer { role }",
            },
            "fragment Who is defined twice",
        ),
        (
            {
                "Me.graphql": "query Me { viewer { ...Who } }",
                "fragments/Op.graphql": "query Op { viewer { role } }",
            },
            "fragment definitions only",
        ),
    ],
    ids=["unused", "defined-again", "twice", "not-a-fragment"],
)
def test_a_broken_fragments_folder_stops_the_registry(
    tmp_path: Path, files: dict[str, str], words: str
) -> None:
    root = _client_folder(tmp_path, {**SHARED, **files})
    with pytest.raises(DocumentError, match=re.escape(words)):
        TrustedDocuments.load(make_query_cache(Settings()), root)


def test_shared_fragments_belong_to_their_client_folder(tmp_path: Path) -> None:
    root = _client_folder(tmp_path, {**SHARED, "Me.graphql": "query Me { viewer { ...Who } }"})
    (root / "other").mkdir()
    (root / "other" / "Them.graphql").write_text("query Them { viewer { ...Who } }")
    with pytest.raises(DocumentError, match=r"other/Them.graphql: Unknown fragment 'Who'"):
        TrustedDocuments.load(make_query_cache(Settings()), root)


def test_a_document_id_runs_the_registered_operation(client: TestClient, world: World) -> None:
    doc = _registry().named("CampaignList")
    response = _send(
        client,
        {"documentId": doc.id, "variables": _campaign_list(world)},
        world.tokens["ADVERTISER"],
    )
    assert response.status_code == 200, response.text
    campaigns = response.json()["data"]["advertiser"]["campaigns"]["nodes"]
    assert [c["name"] for c in campaigns] == ["Acme launch"]
    assert response.json()["extensions"]["cost"]["requestedQueryCost"] > 0


def test_the_apollo_extension_form_runs_it_too(client: TestClient, world: World) -> None:
    doc = _registry().named("Advertisers")
    digest = doc.id.removeprefix("sha256:")
    body = {
        "variables": {"first": 5},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    response = _send(client, body, world.tokens["ADVERTISER"])
    assert response.status_code == 200, response.text
    names = [a["name"] for a in response.json()["data"]["viewer"]["advertisers"]["nodes"]]
    assert names == ["Acme"]


def test_get_accepts_a_document_id_and_refuses_a_mutation(client: TestClient, world: World) -> None:
    registry = _registry()
    auth = {"Authorization": f"Bearer {world.tokens['ADMIN']}"}
    ok = client.get(
        "/graphql",
        params={"documentId": registry.named("Advertisers").id, "variables": '{"first":2}'},
        headers=auth,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["viewer"]["role"] == "ADMIN"
    mutation = client.get(
        "/graphql",
        params={
            "documentId": registry.named("UpdateCampaign").id,
            "variables": json.dumps({"input": {"id": world.acme.campaign}}),
        },
        headers=auth,
    )
    assert mutation.status_code == 405


@pytest.mark.parametrize(
    ("accept", "status"), [(None, 200), (GRAPHQL_RESPONSE, 400)], ids=["json", "graphql-response"]
)
def test_an_unknown_document_is_one_clear_error(
    client: TestClient, world: World, accept: str | None, status: int
) -> None:
    unknown = document_id("query Nope { viewer { role } }")
    response = _send(client, {"documentId": unknown}, world.tokens["ADMIN"], accept)
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert unknown in error["message"]
    assert "data" not in response.json()


def test_an_unknown_apollo_hash_asks_for_the_text(client: TestClient, world: World) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}}
    response = _send(client, body, world.tokens["ADMIN"])
    (error,) = response.json()["errors"]
    assert error == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }


def test_apollo_text_with_its_hash_runs_as_text(client: TestClient, world: World) -> None:
    query = "query Me { viewer { role } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    response = _send(client, body, world.tokens["ADMIN"])
    assert response.json()["data"] == {"viewer": {"role": "ADMIN"}}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"documentId": "sha256:ABC"}, "`documentId`"),
        ({"documentId": "md5:" + "0" * 32}, "`documentId`"),
        ({"documentId": 7}, "`documentId`"),
        ({"documentId": "sha256:" + "0" * 64, "query": "{ viewer { role } }"}, "not both"),
        ({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}}, "version"),
        ({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}}, "sha256Hash"),
        (
            {
                "query": "{ viewer { role } }",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
            },
            "not the hash",
        ),
        ({}, "`documentId`"),
    ],
)
def test_malformed_document_requests_are_400(
    client: TestClient, world: World, body: dict[str, Any], fragment: str
) -> None:
    response = _send(client, body, world.tokens["ADMIN"])
    assert response.status_code == 400, response.text
    assert fragment in response.json()["errors"][0]["message"]


def test_registered_documents_are_not_parsed_or_validated_again(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _registry().named("Advertisers")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a trusted document was parsed or validated per request")

    real_validate = query_cache.validate

    def cost_only(schema: Any, document: Any, rules: Any, **options: Any) -> Any:
        if len(rules) > 1:  # the specified rules, not the cost of these variables
            refuse()
        return real_validate(schema, document, rules, **options)

    monkeypatch.setattr(query_cache, "parse", refuse)
    monkeypatch.setattr(query_cache, "parse_limited", refuse)
    monkeypatch.setattr(query_cache, "validate", cost_only)
    # The app was built before the patch: its registry parsed and validated at start.
    response = _send(
        client, {"documentId": doc.id, "variables": {"first": 3}}, world.tokens["ADMIN"]
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def trusted_only(settings: Settings) -> Iterator[TestClient]:
    strict = settings_for(settings.database_url, graphql_trusted_documents_only=True)
    with TestClient(create_app(strict)) as client:
        yield client


def test_trusted_only_refuses_an_advertisers_ad_hoc_query(
    trusted_only: TestClient, world: World
) -> None:
    doc = _registry().named("CampaignList")
    refused = post(trusted_only, doc.text, _campaign_list(world), token=world.tokens["ADVERTISER"])
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    by_id = _send(
        trusted_only,
        {"documentId": doc.id, "variables": _campaign_list(world)},
        world.tokens["ADVERTISER"],
    )
    assert by_id.status_code == 200
    assert by_id.json()["data"]["advertiser"]["name"] == "Acme"


@pytest.mark.parametrize("role", ["ADMIN", "FINANCE"])
def test_trusted_only_keeps_ad_hoc_queries_for_the_platforms_roles(
    trusted_only: TestClient, world: World, role: str
) -> None:
    response = post(trusted_only, "{ viewer { role } }", token=world.tokens[role])
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"role": role}}


def test_a_broken_document_stops_the_registry(tmp_path: Path) -> None:
    cache = make_query_cache(Settings())
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "Ok.graphql").write_text("query Ok { viewer { role } }")
    assert [d.name for d in TrustedDocuments.load(cache, tmp_path)] == ["Ok"]
    for name, text, message in [
        ("Bad", "query Bad { viewer { nope } }", "nope"),
        ("Two", "query Two { viewer { role } } query Three { viewer { role } }", "exactly one"),
        ("Anon", "{ viewer { role } }", "exactly one"),
        ("Misnamed", "query Other { viewer { role } }", "named Other"),
    ]:
        path = folder / f"{name}.graphql"
        path.write_text(text)
        with pytest.raises(DocumentError, match=message):
            TrustedDocuments.load(cache, tmp_path)
        path.unlink()
    (tmp_path / "Ok.graphql").write_text("query Ok { viewer { seesAllAdvertisers } }")
    with pytest.raises(DocumentError, match="twice"):
        TrustedDocuments.load(cache, tmp_path)


def test_small_request_limits_do_not_lock_the_dashboard_out(
    settings: Settings, world: World
) -> None:
    tight = settings_for(settings.database_url, graphql_max_fields=10, graphql_max_depth=2)
    with TestClient(create_app(tight)) as client:
        ad_hoc = post(
            client,
            registered().named("Advertisers").text + "\n# ad hoc",
            {"first": 2},
            token=world.tokens["ADMIN"],
        )
        assert ad_hoc.json()["errors"][0]["extensions"]["code"] in {
            "MAX_FIELDS_EXCEEDED",
            "MAX_DEPTH_EXCEEDED",
        }
        by_id = _send(
            client,
            {"documentId": registered().named("Advertisers").id, "variables": {"first": 2}},
            world.tokens["ADMIN"],
        )
        assert by_id.json()["data"]["viewer"]["role"] == "ADMIN"
