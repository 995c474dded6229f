"""The REST resource routes: each request runs its operation on the GraphQL handler.

Authentication and the role check (401/403), the cost limit for these variables and
execution are the `/graphql` handler's own, called here; so are the resolvers, the
authorization policy and the audited writes behind them. This module only reads the
request into variables, answers, and counts each request per route in `/metrics`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ads.api.context import RequestContext
from ads.api.graphql_app import AdsHTTPHandler
from ads.api.graphql_http import JSON, BadRequest, FastJSONResponse, Params
from ads.api.rest.resources.answers import Answer, answer, error_body
from ads.api.rest.resources.declaration import RestRoute, collection
from ads.api.rest.resources.etags import entity_tag, none_match
from ads.api.rest.resources.inputs import Call, call_for
from ads.metrics import process_metrics
from ads.outages import outage_of

#: Authenticated answers: a shared cache must not keep them, a client revalidates.
CACHE_CONTROL = "private, no-cache"


class ResourceEndpoint:
    """One route's endpoint (`serve`)."""

    def __init__(self, route: RestRoute, graphql: AdsHTTPHandler, locations: frozenset[str]):
        self.route = route
        self.graphql = graphql
        #: Node types with a `GET /v1/<collection>/{id}` route (a new one's Location).
        self.locations = locations

    async def serve(self, request: Request) -> Response:
        context = RequestContext(
            request.app.state.sessions,
            self.graphql.settings,
            enqueue_export=request.app.state.enqueue_export,
        )
        status = 500
        try:
            response = await self._serve(request, context)
            status = response.status_code
            return response
        except Exception as error:
            if outage_of(error) is not None:
                status = 503
            raise
        finally:
            await context.close()
            route = self.route
            process_metrics().rest_requests.labels(
                request.method, route.path, route.name, str(status)
            ).inc()

    async def _serve(self, request: Request, context: RequestContext) -> Response:
        denied = await self.graphql.authorize(request, context)
        if denied is not None:
            return denied
        route = self.route
        try:
            body = await _json_body(request) if route.body is not None else None
            call = call_for(
                route,
                request.path_params,
                request.query_params.multi_items(),
                body,
                request.headers.get("if-match"),
            )
        except BadRequest as refused:
            return JSONResponse(error_body(refused.code, refused.message), refused.status)
        return await self._run(request, context, call)

    async def _run(self, request: Request, context: RequestContext, call: Call) -> Response:
        document = self.route.document
        cost = await self.graphql.cost(document.text, call.variables)
        if cost.errors:
            formatter = self.graphql.error_formatter
            errors = [formatter(e, self.graphql.debug) for e in cost.errors]
            return JSONResponse({"errors": errors}, 400)
        params = Params(document.text, call.variables, document.name)
        result, headers = await self.graphql.execute(params, document.prepared.document, context)
        reply = answer(self.route, result, if_match=call.if_match)
        return self._response(request, reply, headers or {})

    def _response(self, request: Request, reply: Answer, headers: dict[str, str]) -> Response:
        if not reply.ok:
            return FastJSONResponse(reply.body, reply.status, headers=headers)
        content = orjson.dumps(reply.body)
        tag = entity_tag(content, reply.version)
        headers = {**headers, "ETag": tag, "Cache-Control": CACHE_CONTROL}
        if request.method in ("GET", "HEAD") and none_match(
            request.headers.get("if-none-match"), tag
        ):
            return Response(status_code=304, headers=headers)
        if reply.next is not None:
            # Relative to the request: right behind any proxy that rewrote the host.
            following = request.url.include_query_params(after=reply.next)
            headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
        location = self._location(reply.body) if reply.status == 201 else None
        if location is not None:
            headers["Location"] = location
        return Response(content, reply.status, headers=headers, media_type=JSON)

    def _location(self, body: Any) -> str | None:
        name = self.route.resource_type.name
        if name not in self.locations or not isinstance(body, dict) or "id" not in body:
            return None
        return f"/v1/{collection(name)}/{body['id']}"


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON:
        raise BadRequest(415, f"send the body as {JSON}", "UNSUPPORTED_MEDIA_TYPE")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest(400, "the body is not valid JSON", "BAD_REQUEST") from None


def endpoint_routes(graphql: AdsHTTPHandler, routes: list[RestRoute]) -> list[BaseRoute]:
    """A Starlette route per declared route (several methods of one path are siblings)."""
    locations = frozenset(
        r.resource_type.name
        for r in routes
        if r.method == "GET" and r.path == f"/v1/{collection(r.resource_type.name)}/{{id}}"
    )
    return [
        Route(r.path, ResourceEndpoint(r, graphql, locations).serve, methods=[r.method])
        for r in routes
    ]
