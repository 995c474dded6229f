"""The resource routes of the app and their OpenAPI document, from the trusted documents.

The document describes the API the way introspection describes the schema, so it follows
the same switch: open while introspection is on, and with introspection off (production's
default) only for a token that may use the API, so an anonymous caller learns nothing
about the routes either way.
"""

from __future__ import annotations

import orjson
from ariadne.asgi import GraphQL
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ads.api.context import RequestContext
from ads.api.graphql_app import AdsHTTPHandler
from ads.api.graphql_http import JSON
from ads.api.openapi import openapi_document
from ads.api.rest.resources.declaration import declared_routes
from ads.api.rest.resources.endpoint import endpoint_routes
from ads.api.trusted_documents import TrustedDocuments


def resource_routes(graphql: GraphQL, documents: TrustedDocuments) -> list[BaseRoute]:
    handler = graphql.http_handler
    assert isinstance(handler, AdsHTTPHandler)
    schema = handler.cache.schema
    declared = declared_routes(documents, schema)
    content = orjson.dumps(openapi_document(declared, schema))
    open_to_all = handler.settings.introspection

    async def openapi(request: Request) -> Response:
        if open_to_all:
            return Response(content, media_type=JSON)
        context = RequestContext(
            request.app.state.sessions,
            handler.settings,
            enqueue_export=request.app.state.enqueue_export,
        )
        try:
            denied = await handler.authorize(request, context)
        finally:
            await context.close()
        if denied is not None:
            return denied
        return Response(content, media_type=JSON, headers={"Cache-Control": "private"})

    return [
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        *endpoint_routes(handler, declared),
    ]
