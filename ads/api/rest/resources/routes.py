"""The resource routes of the app and their OpenAPI document, from the trusted documents.

The document is open, like the SDL it is generated from: it describes the API, not data.
"""

from __future__ import annotations

from ariadne.asgi import GraphQL
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ads.api.graphql_app import AdsHTTPHandler
from ads.api.openapi import openapi_document
from ads.api.rest.resources.declaration import declared_routes
from ads.api.rest.resources.endpoint import endpoint_routes
from ads.api.trusted_documents import TrustedDocuments


def resource_routes(graphql: GraphQL, documents: TrustedDocuments) -> list[BaseRoute]:
    handler = graphql.http_handler
    assert isinstance(handler, AdsHTTPHandler)
    schema = handler.cache.schema
    declared = declared_routes(documents, schema)
    document = openapi_document(declared, schema)

    async def openapi(_request: Request) -> JSONResponse:
        return JSONResponse(document)

    return [
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        *endpoint_routes(handler, declared),
    ]
