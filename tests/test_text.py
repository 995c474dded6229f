"""Text both databases store: no NUL, no unpaired surrogate, anywhere in a JSON value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.errors import Invalid
from ads.text import check_storable, storable

UNSTORABLE = st.sampled_from(["\x00", "\ud800", "\udfff", "\udcff"])


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_text_without_nul_or_surrogates_is_storable(text: str) -> None:
    assert storable(text)
    check_storable({"k": [text]}, field="name")


@given(st.text(), UNSTORABLE, st.text())
def test_a_nul_or_a_lone_surrogate_anywhere_is_refused(before: str, bad: str, after: str) -> None:
    text = before + bad + after
    assert not storable(text)
    with pytest.raises(Invalid) as refused:
        check_storable(text, field="name")
    assert (refused.value.code, refused.value.field) == ("INVALID_CHARACTER", ["name"])


@pytest.mark.parametrize(
    "value", [{"geo": ["US", "a\x00"]}, {"a\ud800": 1}, [[{"x": "\x00"}]]], ids=str
)
def test_json_values_are_walked_keys_included(value: Any) -> None:
    with pytest.raises(Invalid, match="cannot contain"):
        check_storable(value, field="targeting")
