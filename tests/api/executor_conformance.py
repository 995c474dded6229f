"""Every query the suite sends through HTTP runs on graphql-core's own executor too.

The fast executor (`ads.api.executor`) must change speed, never results. While the suite
runs, each query operation that `/graphql` executes is executed a second time, on a
fresh request context, with graphql-core's default executor, and the two answers
(data and errors) must be identical. Mutations run once: running them twice would
change the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from ariadne import graphql
from graphql import OperationType, get_operation_ast

from ads.api import graphql_app
from ads.api.context import RequestContext

_original = graphql_app.AdsHTTPHandler._execute


async def _execute_twice(
    self: graphql_app.AdsHTTPHandler,
    params: Any,
    document: Any,
    media: str,
    context: RequestContext,
    cost: Any,
) -> Any:
    response = await _original(self, params, document, media, context, cost)
    operation = get_operation_ast(document, params.operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return response
    fast_body = response.body
    reference = RequestContext(
        context._sessions, context.settings, enqueue_export=context.enqueue_export
    )
    reference.principal = context.principal
    reference.now = context.now  # the same request: the same clock
    try:
        _, result = await graphql(
            self.schema,
            params.as_data(),
            context_value=reference,
            query_document=document,
            query_validator=graphql_app._already_validated,
            debug=self.debug,
            error_formatter=self.error_formatter,
            hide_suggestions=self.cache.hide_suggestions,
        )
    finally:
        await reference.close()
    got = orjson.loads(fast_body)
    got.pop("extensions", None)
    if result.get("data") is None and all("path" not in e for e in result.get("errors", ())):
        result.pop("data", None)
    expected = orjson.loads(orjson.dumps(result, default=str))
    if got != expected:
        MISMATCHES.append((params.query, got, expected))
    return response


MISMATCHES: list[tuple[str, Any, Any]] = []


@pytest.fixture(autouse=True)
def fast_executor_conforms(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.get_closest_marker("one_execution"):
        yield  # the test counts statements or timing: a second run would be counted
        return
    monkeypatch.setattr(graphql_app.AdsHTTPHandler, "_execute", _execute_twice)
    MISMATCHES.clear()
    yield
    assert not MISMATCHES, (
        "the fast executor answered differently from graphql-core's: "
        f"{MISMATCHES[0][0]!r}\nfast: {MISMATCHES[0][1]}\ngraphql-core: {MISMATCHES[0][2]}"
    )
