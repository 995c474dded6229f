"""Plans of the trusted documents answer exactly as graphql-core does, errors included."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from ariadne import ObjectType, graphql, make_executable_schema
from graphql import DocumentNode, OperationDefinitionNode, execute, parse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.testclient import TestClient

from ads.api import money, plan
from ads.api.context import RequestContext
from ads.api.executor import executor_class, leaf_table
from ads.api.graphql_app import _already_validated
from ads.api.graphql_errors import format_error
from ads.api.ids import global_id
from ads.api.plan import fast_read, operation_plans
from ads.api.resolvers import node
from ads.api.schema import build_schema
from ads.campaigns.models import Ad
from ads.config import Settings
from ads.db import async_session_factory, make_async_engine
from ads.tokens.service import authenticate
from tests.api.conftest import World
from tests.api.documents import registered

#: What plans cover: aliases, fragments (named and inline), `__typename`, variables in
#: nested arguments, lists of objects and of leaves, nullable and non-null fields.
COVERED = """
query Covered($id: ID!, $first: Int!) {
  advertiser(id: $id) {
    __typename
    label: name
    ...Money
    campaigns(first: $first, orderBy: {field: NAME, direction: DESC}) {
      totalCount
      edges { cursor node { id ... on Campaign { status } } }
      nodes { ...Campaign adGroups(first: 2) { nodes { name bid { amount } } } }
    }
  }
  missing: campaign(id: "nope") { id }
}
fragment Money on Advertiser { spendToday { amount currency } spendLimit { amount } }
fragment Campaign on Campaign { name budget { amount amountMicros } pacing { status } }
"""


async def _both(settings: Settings, token: str, text: str, variables: dict[str, Any]) -> Any:
    """The answer of the planned executor and of graphql-core's, on one database."""
    schema = build_schema()
    document = parse(text)
    planned = executor_class(schema, [document])
    engine = make_async_engine(settings)
    sessions: async_sessionmaker[AsyncSession] = async_session_factory(engine)
    answers = []
    try:
        for execution_class in (planned, None):
            context = RequestContext(sessions, settings, enqueue_export=lambda _id: False)
            context.principal = await context.run_sync(lambda s: authenticate(s, token))
            try:
                _, result = await graphql(
                    schema,
                    {"query": text, "variables": variables},
                    context_value=context,
                    query_document=document,
                    query_validator=_already_validated,
                    execution_context_class=execution_class,
                    error_formatter=format_error,
                )
            finally:
                await context.close()
            answers.append(orjson.loads(orjson.dumps(result, default=str)))
    finally:
        await engine.dispose()
    return answers


def test_every_dashboard_query_has_a_plan() -> None:
    documents = [
        d.prepared.document
        for d in registered()
        if d.prepared.document and d.source.startswith("dashboard/")
    ]
    schema = build_schema()
    plans = operation_plans(schema, documents, leaf_table(schema))
    queries = [
        o
        for d in documents
        for o in d.definitions
        if isinstance(o, OperationDefinitionNode) and o.operation.value == "query"
    ]
    assert queries
    assert all(id(o) in plans for o in queries)


@pytest.mark.parametrize(
    "text",
    [
        "mutation M { updateAd(input: {id: 1}) { userErrors { code } } }",
        "{ viewer @include(if: true) { role } }",
        "{ __schema { queryType { name } } }",
    ],
    ids=["mutation", "directive", "introspection"],
)
def test_what_plans_do_not_cover_runs_on_graphql_core(text: str) -> None:
    schema = build_schema()
    document: DocumentNode = parse(text)
    assert operation_plans(schema, [document], leaf_table(schema)) == {}


@pytest.fixture
def planned_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The runs on a plan during the test (a test that runs none checks nothing)."""
    calls: list[object] = []
    original = plan.PlanRun.root

    def counting(self: plan.PlanRun, *args: Any) -> Any:
        calls.append(args)
        return original(self, *args)

    monkeypatch.setattr(plan.PlanRun, "root", counting)
    return calls


async def test_a_planned_query_answers_as_graphql_core(
    client: TestClient, world: World, settings: Settings, planned_runs: list[object]
) -> None:
    variables = {"id": world.acme.advertiser, "first": 5}
    ours, reference = await _both(settings, world.tokens["ADMIN"], COVERED, variables)
    assert planned_runs, "the plan did not run"
    assert ours == reference
    assert ours["data"]["advertiser"]["label"] == "Acme"
    assert ours["data"]["missing"] is None
    assert ours["errors"][0]["path"] == ["missing"]


async def test_a_null_in_a_non_null_place_travels_up_as_in_graphql_core(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch, planned_runs: list[object]
) -> None:
    def broken(self: money.Money) -> str:
        raise RuntimeError("no amount")

    # Money.amount is String!, budget is Money!, nodes are [Campaign!]!: the error
    # nulls the nearest nullable field, `advertiser`.
    monkeypatch.setattr(money.Money, "amount", property(broken))
    variables = {"id": world.acme.advertiser, "first": 5}
    ours, reference = await _both(settings, world.tokens["ADMIN"], COVERED, variables)
    assert len(planned_runs) == 1
    assert ours == reference
    assert ours["data"]["advertiser"] is None
    assert len(ours["errors"]) == len(reference["errors"]) >= 2


READ_SDL = """
type Query { items: [Item!]! }
type Item { box: Box! note: Box }
type Box { label: String! }
"""


def _read_schema(calls: list[str]) -> Any:
    item = ObjectType("Item")

    def reader(obj: dict[str, Any], _context: Any) -> Any:
        if obj.get("broken"):
            raise RuntimeError("the reader fails: the resolver answers")
        return obj.get("loaded")

    @item.field("box")
    @fast_read(reader)
    def resolve_box(obj: dict[str, Any], _info: Any) -> Any:
        calls.append(obj["name"])
        return obj.get("resolved")

    return make_executable_schema(READ_SDL, item)


@pytest.mark.parametrize(
    ("source", "label", "resolved"),
    [
        ({"name": "a", "loaded": {"label": "read"}, "resolved": {"label": "read"}}, "read", []),
        ({"name": "b", "loaded": None, "resolved": {"label": "late"}}, "late", ["b"]),
        ({"name": "c", "broken": True, "resolved": {"label": "late"}}, "late", ["c"]),
    ],
    ids=["loaded", "not loaded", "reader fails"],
)
def test_a_loaded_value_is_read_without_its_resolver(
    source: dict[str, Any], label: str, resolved: list[str]
) -> None:
    calls: list[str] = []
    schema = _read_schema(calls)
    document = parse("{ items { box { label } } }")
    root = {"items": [source]}
    result = execute(
        schema, document, root_value=root, executor_class=executor_class(schema, [document])
    )
    assert result.errors is None
    assert result.data == {"items": [{"box": {"label": label}}]}
    assert calls == resolved


def test_a_read_value_is_completed_as_graphql_core_completes_the_resolved_one() -> None:
    calls: list[str] = []
    schema = _read_schema(calls)
    document = parse("{ items { box { label } } }")
    # `label` is String! and the box read has none: the null travels up to `items`.
    root = {"items": [{"name": "a", "loaded": {"label": None}, "resolved": {"label": None}}]}
    fast = execute(
        schema, document, root_value=root, executor_class=executor_class(schema, [document])
    )
    assert calls == []  # read, not resolved
    expected = execute(schema, document, root_value=root)
    assert fast == expected
    assert fast.errors is not None
    assert fast.errors[0].path == ["items", 0, "box", "label"]


#: Abstract types: one node, a list of nodes, fragments on several possible types, a node
#: of another type than the fragment's (an empty object) and a missing one (null).
ABSTRACT = """
query Abstract($group: ID!, $ad: ID!, $campaign: ID!, $missing: ID!) {
  group: node(id: $group) {
    __typename
    id
    ... on AdGroup { name campaign { id name } ads(first: 5) { nodes { id name } } }
    ... on Ad { creativeUrl }
  }
  otherType: node(id: $campaign) { ... on AdGroup { name } }
  missing: node(id: $missing) { id }
  nodes(ids: [$ad, $campaign, $missing]) {
    __typename
    ... on Ad { name adGroup { id } }
    ... on Campaign { budget { amountMicros } }
  }
}
"""


async def test_an_abstract_field_runs_on_the_plan_of_its_resolved_type(
    world: World, settings: Settings, planned_runs: list[object]
) -> None:
    variables = {
        "group": world.acme.ad_group,
        "ad": world.acme.ad,
        "campaign": world.acme.campaign,
        "missing": global_id("Ad", 999999),
    }
    ours, reference = await _both(settings, world.tokens["ADMIN"], ABSTRACT, variables)
    assert planned_runs, "the plan did not run"
    assert ours == reference
    data = ours["data"]
    assert data["group"]["__typename"] == "AdGroup"
    assert data["group"]["campaign"]["id"] == world.acme.campaign
    assert "creativeUrl" not in data["group"]
    assert data["otherType"] == {}
    assert data["missing"] is None
    assert [n and n["__typename"] for n in data["nodes"]] == ["Ad", "Campaign", None]


async def test_a_type_resolved_to_no_possible_type_is_graphql_cores_error(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch, planned_runs: list[object]
) -> None:
    monkeypatch.setitem(node.TYPE_NAMES, Ad, "Money")
    text = "query Wrong($id: ID!) { node(id: $id) { id } }"
    ours, reference = await _both(settings, world.tokens["ADMIN"], text, {"id": world.acme.ad})
    assert planned_runs
    assert ours == reference
    assert ours["data"]["node"] is None
    assert "'Money' is not a possible type for 'Node'" in ours["errors"][0]["message"]
