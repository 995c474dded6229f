"""Entity tags: a body's digest led by its version; If-Match and If-None-Match read back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.api.rest.resources.etags import entity_tag, none_match, version_in


@given(st.binary(), st.integers(min_value=1, max_value=10**9 - 1))
def test_a_versioned_tag_gives_its_version_back(body: bytes, version: int) -> None:
    tag = entity_tag(body, version)
    assert version_in(tag) == version
    assert version_in(f"W/{tag}") == version
    assert none_match(tag, tag)
    assert none_match(f'"other", {tag}', tag)


@given(st.binary(), st.binary())
def test_tags_differ_when_bodies_do(first: bytes, second: bytes) -> None:
    assert (entity_tag(first) == entity_tag(second)) == (first == second)


def test_star_and_absent_headers() -> None:
    tag = entity_tag(b"{}", 3)
    assert none_match("*", tag)
    assert not none_match(None, tag)
    assert not none_match('"3.nope"', tag)
    assert version_in("*") is None


@pytest.mark.parametrize(
    "header", ["nope", '"nodot"', '"x.abc"', '"1.a", "2.b"', '"1234567890.a"', "", '"-1.a"']
)
def test_a_header_naming_no_single_version_is_refused(header: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(header)}$"):
        version_in(header)


def test_a_tag_without_version_is_the_digest_alone() -> None:
    assert entity_tag(b"[]", None).count(".") == 0
    assert entity_tag(b"[]", True).count(".") == 0  # a boolean is no version
