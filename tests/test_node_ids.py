"""One id everywhere: the global id codec and the parser every REST endpoint and CLI flag uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.node_ids import MAX_ID, NODE_TYPES, InvalidId, global_id, parse_global_id, parse_id

pks = st.integers(min_value=1, max_value=MAX_ID)
types = st.sampled_from(sorted(NODE_TYPES))


@given(types, pks)
def test_a_global_id_and_a_number_name_the_same_row(type_name: str, pk: int) -> None:
    assert parse_global_id(global_id(type_name, pk)) == (type_name, pk)
    assert parse_id(global_id(type_name, pk), type_name) == pk
    assert parse_id(pk, type_name) == pk
    assert parse_id(str(pk), type_name) == pk


@given(types, types, pks)
def test_another_types_global_id_is_refused(expected: str, actual: str, pk: int) -> None:
    if expected == actual:
        return
    with pytest.raises(InvalidId):
        parse_id(global_id(actual, pk), expected)


@pytest.mark.parametrize(
    "value",
    [0, -1, MAX_ID + 1, "0", "-5", str(MAX_ID + 1), "", "4.5", True, None, 2.0, "١٢", "nope",
     global_id("Ad", 0), global_id("Ad", MAX_ID + 1), global_id("Nothing", 1)],
)  # fmt: skip
def test_anything_else_is_not_an_id(value: object) -> None:
    with pytest.raises(InvalidId):
        parse_id(value, "Ad")
