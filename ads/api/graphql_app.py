"""The `/graphql` endpoint: Ariadne's ASGI app with our HTTP handling in front of execution.

Per request: method and media type checks, bearer authentication (401/403 before any
GraphQL work), parameters, then parse + validate from the cache, the cost for these
variables, execution with a fresh context, and the cost in `extensions.cost`. The cost
is added here rather than by an Ariadne Extension because extensions run as per-field
middleware, which would slow every field of every query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.explorer import ExplorerHttp405
from ariadne.graphql import graphql
from graphql import GraphQLError, get_operation_ast
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ads.api.bearer import bearer_token
from ads.api.context import RequestContext
from ads.api.document_limits import DocumentLimits
from ads.api.executor import executor_class
from ads.api.explorer.page import OfflineGraphiQL
from ads.api.graphql_errors import ErrorLog, format_error, met_outages
from ads.api.graphql_http import (
    JSON,
    BadRequest,
    FastJSONResponse,
    Params,
    error_response,
    read_params,
    response_media_type,
)
from ads.api.query_cache import Cost, QueryCache, is_mutation
from ads.api.schema import build_schema
from ads.api.trusted_documents import TrustedDocuments
from ads.api.unavailable import UNAVAILABLE_HEADERS
from ads.auth import policy
from ads.config import Settings
from ads.errors import Forbidden
from ads.outages import OutageLog, outage_of

T = TypeVar("T")
ALLOW = "GET, POST, OPTIONS"
EXPLORER_TITLE = "ads admin API"


def _already_validated(*_args: Any, **_kwargs: Any) -> list[GraphQLError]:
    return []


class AdsHTTPHandler(GraphQLHTTPHandler):
    """GraphQL-over-HTTP for the admin API (see ads.api.graphql_http for the rules)."""

    def __init__(
        self,
        settings: Settings,
        cache: QueryCache,
        outages: OutageLog,
        documents: TrustedDocuments,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.cache = cache
        self.outages = outages
        self.documents = documents
        self.executor_class = executor_class(
            cache.schema, [d.prepared.document for d in documents if d.prepared.document]
        )
        # Parsing and validating a new document is CPU work of up to tens of ms within
        # the limits: done on these threads, the event loop keeps answering meanwhile
        # (the GIL is handed over every few ms), and at most two documents are worked on
        # at once, so a flood of new documents queues here instead of starving the rest.
        self._preparing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="graphql-prepare")

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._preparing, work, *args)

    async def handle_request(self, request: Request) -> Response:
        method = request.method
        if method == "OPTIONS":
            return Response(headers={"Allow": ALLOW})
        if method not in ("GET", "POST"):
            return error_response(
                405,
                f"{method} is not supported here",
                "METHOD_NOT_ALLOWED",
                headers={"Allow": ALLOW},
            )
        if method == "GET" and not _names_an_operation(request):
            return await self._explorer_or_400(request)
        media = response_media_type(request.headers.get("accept"))
        if media is None:
            return error_response(
                406,
                "accept application/graphql-response+json or application/json",
                "NOT_ACCEPTABLE",
            )
        context = RequestContext(
            request.app.state.sessions,
            self.settings,
            enqueue_export=request.app.state.enqueue_export,
        )
        try:
            return await self._serve(request, media, context)
        except BadRequest as error:
            return error_response(error.status, error.message, error.code, media_type=media)
        finally:
            await context.close()

    async def _explorer_or_400(self, request: Request) -> Response:
        explorer = self.explorer
        wants_page = "text/html" in request.headers.get("accept", "")
        if self.settings.explorer_on and isinstance(explorer, OfflineGraphiQL) and wants_page:
            return explorer.response(request)
        return error_response(400, "a GET request needs a `query` parameter", "BAD_REQUEST")

    async def _serve(self, request: Request, media: str, context: RequestContext) -> Response:
        token = bearer_token(request)
        principal = None if token is None else await context.authenticate(token)
        if principal is None:
            return error_response(
                401,
                "a valid bearer token is required (Authorization: Bearer <token>)",
                "UNAUTHENTICATED",
                media_type=media,
                headers={"WWW-Authenticate": 'Bearer realm="ads"'},
            )
        try:
            policy.require_graphql(principal)
        except Forbidden as error:
            return error_response(403, error.message, error.code, media_type=media)
        params = await read_params(request)
        if params.document_id is not None:
            document = self.documents.get(params.document_id)
            if document is None:
                return self._request_errors((_unknown_document(params),), media)
            prepared = document.prepared
            params = replace(params, query=document.text)
        else:
            try:
                policy.require_ad_hoc_query(
                    principal, trusted_only=self.settings.graphql_trusted_documents_only
                )
            except Forbidden as error:
                return error_response(403, error.message, error.code, media_type=media)
            assert params.query is not None
            found = self.cache.cached(params.query)
            if found is None:
                found = await self._off_loop(self.cache.prepare, params.query)
            prepared = found
        query = params.query
        assert query is not None
        if prepared.errors:
            return self._request_errors(prepared.errors, media)
        operation = prepared.operation(params.operation_name)
        if operation is None:
            name = params.operation_name
            message = (
                f"no operation named {name!r} in the document"
                if name
                else "the document has several operations: say which in `operationName`"
            )
            return self._request_errors((GraphQLError(message),), media)
        if request.method == "GET" and is_mutation(operation):
            return error_response(
                405,
                "mutations must be sent with POST",
                "METHOD_NOT_ALLOWED",
                media_type=media,
                headers={"Allow": "POST"},
            )
        cost = self.cache.cached_cost(query, params.variables)
        if cost is None:
            cost = await self._off_loop(self.cache.cost, query, params.variables)
        if cost.errors:
            return self._request_errors(cost.errors, media, cost)
        return await self._execute(params, prepared.document, media, context, cost)

    async def _execute(
        self, params: Params, document: Any, media: str, context: RequestContext, cost: Cost
    ) -> Response:
        assert self.schema is not None
        met: list[BaseException] = []
        token = met_outages.set(met)
        try:
            _, result = await self._run(params, document, context)
        finally:
            met_outages.reset(token)
        headers = None
        if met:
            # A query is simply retried: answer the outage (503). A mutation may have
            # committed some of its fields already: keep their results, with the errors
            # of the others saying SERVICE_UNAVAILABLE, and the advice to retry.
            data = result.get("data") or {}
            operation = get_operation_ast(document, params.operation_name)
            committed = any(value is not None for value in data.values())
            if operation is None or not is_mutation(operation) or not committed:
                raise met[0]
            for error in met:
                dependency = outage_of(error)
                assert dependency is not None
                self.outages.failed(dependency, error)
            headers = UNAVAILABLE_HEADERS
        if result.get("data") is None and all("path" not in e for e in result.get("errors", ())):
            result.pop("data", None)  # variables or operation refused: a request error
        result.setdefault("extensions", {})["cost"] = cost.report()
        status = 200 if media == JSON or "data" in result else 400
        return FastJSONResponse(result, status_code=status, media_type=media, headers=headers)

    async def _run(self, params: Params, document: Any, context: RequestContext) -> Any:
        assert self.schema is not None
        return await graphql(
            self.schema,
            params.as_data(),
            context_value=context,
            query_document=document,
            query_validator=_already_validated,
            execution_context_class=self.executor_class,
            debug=self.debug,
            logger=self.logger,
            error_formatter=self.error_formatter,
            hide_suggestions=self.cache.hide_suggestions,
        )

    def _request_errors(
        self, errors: tuple[GraphQLError, ...], media: str, cost: Cost | None = None
    ) -> Response:
        """Parse, validation and cost errors: 400 as graphql-response+json, 200 as JSON."""
        body: dict[str, Any] = {"errors": [self.error_formatter(e, self.debug) for e in errors]}
        if cost is not None:
            body["extensions"] = {"cost": cost.report()}
        return JSONResponse(body, status_code=200 if media == JSON else 400, media_type=media)


def _names_an_operation(request: Request) -> bool:
    query = request.query_params
    return "query" in query or "documentId" in query or "extensions" in query


def _unknown_document(params: Params) -> GraphQLError:
    if params.apollo:
        # What Apollo clients look for before they retry with the text.
        return GraphQLError(
            "PersistedQueryNotFound", extensions={"code": "PERSISTED_QUERY_NOT_FOUND"}
        )
    return GraphQLError(
        f"no trusted document has the id {params.document_id}: send a registered "
        "document's id, or the operation as `query`",
        extensions={"code": "PERSISTED_DOCUMENT_NOT_FOUND"},
    )


def make_query_cache(settings: Settings) -> QueryCache:
    """The schema with the parse, validation and cost caches of these settings' limits."""
    return QueryCache(
        build_schema(),
        limits=DocumentLimits.from_settings(settings),
        max_cost=settings.graphql_max_cost,
        introspection=settings.introspection,
    )


def make_graphql_app(
    settings: Settings, outages: OutageLog | None = None
) -> tuple[GraphQL, TrustedDocuments]:
    """The ASGI app mounted at /graphql, configured from settings, and the registry of
    trusted documents it serves (loaded, and so checked against the schema, here);
    outages met by its resolvers are counted in `outages` (the app's own, shared with
    its other endpoints; a log of its own when none is given)."""
    outages = OutageLog() if outages is None else outages
    cache = make_query_cache(settings)
    schema = cache.schema
    documents = TrustedDocuments.load(cache)
    explorer = (
        OfflineGraphiQL(EXPLORER_TITLE, Path(settings.explorer_assets_dir))
        if settings.explorer_on
        else ExplorerHttp405()
    )
    app = GraphQL(
        schema,
        http_handler=AdsHTTPHandler(settings, cache, outages, documents),
        debug=not settings.is_production,
        introspection=settings.introspection,
        explorer=explorer,
        logger=ErrorLog(),
        error_formatter=format_error,
    )
    return app, documents
