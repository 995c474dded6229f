"""The executor fast path and the statement cache change speed, never results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from ariadne import ObjectType, make_executable_schema
from graphql import GraphQLSchema, execute, parse

from ads.api import statements
from ads.api.connections import PageArgs
from ads.api.executor import executor_class, fast_leaf, leaf_table
from ads.api.loaders import AD_GROUPS, CAMPAIGNS
from ads.api.schema import build_schema
from ads.auth.principal import Principal
from ads.auth.roles import Role

SDL = """
type Query { item: Item, items: [Item!]! }
type Item {
  name: String!
  nickName: String
  count: Int
  label: String!
  tag(upper: Boolean): String
  computed: String
}
"""


class Row:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class FrozenMapping(Mapping[str, Any]):
    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _schema() -> GraphQLSchema:
    item = ObjectType("Item")

    @fast_leaf(lambda obj: None if obj is None else "fast")
    def resolve_label(obj: Any, _info: Any) -> str:
        return "fast"

    item.set_field("label", resolve_label)
    item.set_field("tag", lambda obj, _info, upper=False: "TAG" if upper else "tag")
    return make_executable_schema(SDL, item, convert_names_case=True)


SOURCES = [
    Row(name="a", nick_name="n", count=3, computed="c"),
    {"name": "b", "nick_name": None, "count": "not a number", "computed": "d"},
    Row(name=None, nick_name="x", count=1, computed=lambda _info: "called"),
    FrozenMapping({"name": "m", "nick_name": "mm", "count": 2, "computed": "e"}),
]
QUERY = "{ items { name nickName count label tag(upper: true) computed } }"


@pytest.mark.parametrize("source", SOURCES, ids=["object", "dict", "null+callable", "mapping"])
def test_fast_executor_gives_graphql_cores_result(source: Any) -> None:
    schema = _schema()
    document = parse(QUERY)
    root = {"items": [source]}
    expected = execute(schema, document, root_value=root)
    fast = execute(schema, document, root_value=root, executor_class=executor_class(schema))
    assert fast == expected  # data and errors (messages, paths), whatever the shortcut


def test_leaf_table_takes_plain_leaves_only() -> None:
    table = leaf_table(_schema())["Item"]
    assert set(table) == {"name", "nickName", "count", "label", "computed"}  # not tag(upper)
    getter, _ = table["nickName"]
    assert getter(Row(nick_name="n")) == "n"  # convert_names_case's alias, read directly

    real = leaf_table(build_schema())
    assert {"id", "name", "status", "budgetType"} <= set(real["Campaign"])
    assert "budget" not in real["Campaign"]
    assert "adGroups" not in real["Campaign"]
    assert {"amountMicros", "amount", "currency"} <= set(real["Money"])
    assert "totalCount" in real["CampaignConnection"]


def test_paged_statements_are_cached_per_scope_and_shape() -> None:
    admin = statements.scope_of(Principal(role=Role.ADMIN))
    tenant = statements.scope_of(Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({7})))
    again = statements.scope_of(
        Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({7}), token_id=99)
    )
    page = PageArgs(first=5)
    assert statements.pages(CAMPAIGNS, (), page, admin) is statements.pages(
        CAMPAIGNS, (), page, admin
    )
    assert statements.pages(CAMPAIGNS, (), page, tenant) is statements.pages(
        CAMPAIGNS, (), page, again
    )
    scoped = str(statements.pages(AD_GROUPS, (), page, tenant).compile())
    unscoped = str(statements.pages(AD_GROUPS, (), page, admin).compile())
    assert "advertiser_id IN" in scoped
    assert "advertiser_id IN" not in unscoped
    assert statements.pages(CAMPAIGNS, (), PageArgs(first=6), admin) is not statements.pages(
        CAMPAIGNS, (), page, admin
    )
