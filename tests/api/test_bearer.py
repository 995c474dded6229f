"""Reading `Authorization: Bearer <token>`: one rule for every endpoint."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from ads.api.bearer import bearer_token


def _request(header: str | None) -> Request:
    headers = [] if header is None else [(b"authorization", header.encode())]
    return Request({"type": "http", "headers": headers})


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("BEARER abc", "abc"),
        ("Basic abc", None),
        ("Bearer ", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_the_token_is_read_only_from_a_bearer_header(header: str | None, token: str | None) -> None:
    assert bearer_token(_request(header)) == token
