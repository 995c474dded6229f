"""The OpenAPI 3.1 document of the REST resource routes, generated from the SDL.

Each route's operation is its source: parameters typed by its variables, the body by its
`input` type, the answer by exactly the fields it selects, the descriptions by the SDL's.
Every route names the GraphQL operation behind it (`x-graphql-operation`), so a client
can move to it route by route. Served at `/v1/openapi.json`.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLSchema, OperationType, Undefined

from ads.api.openapi_types import Components
from ads.api.rest.resources.declaration import Parameter, RestRoute
from ads.api.rest.resources.selections import fragments_of

VERSION = "1.0.0"
ERROR = {"$ref": "#/components/schemas/Error"}
_ERRORS = {
    400: "The request is malformed: a parameter, the body or a variable is refused.",
    401: "No valid bearer token.",
    403: "The token's role may not do this.",
    404: "No such object, or the token may not see it (the same answer).",
    409: "`expectedVersion` is stale: the object changed since it was read.",
    412: "`If-Match` names another version than the object's current one.",
    415: "The body is not `application/json`.",
    422: "The change was refused; nothing changed (errors keyed by field in `fields`).",
    503: "A dependency is unavailable: retry after `Retry-After` seconds.",
}


def openapi_document(routes: list[RestRoute], schema: GraphQLSchema) -> dict[str, Any]:
    components = Components(schema)
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(routes, key=lambda r: r.path):
        operation = _operation(route, components)
        paths.setdefault(route.path, {})[route.method.lower()] = operation
        if route.method == "GET":
            paths[route.path]["head"] = _head(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ads admin REST API",
            "version": VERSION,
            "description": (
                "Resources, verbs and status codes over the GraphQL admin API: each route "
                "runs the GraphQL operation it names (`x-graphql-operation`), with the same "
                "authorization, validation and audit. Ids are the GraphQL global ids; the "
                "numeric `databaseId` is accepted wherever an id is."
            ),
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**_error_schemas(components), **components.schemas},
            "headers": {
                "ETag": {
                    "description": "The representation's tag; a versioned object's starts "
                    "with its version (send it as `If-Match` to guard a change).",
                    "schema": {"type": "string"},
                }
            },
        },
    }


def _operation(route: RestRoute, components: Components) -> dict[str, Any]:
    document = route.document
    fragments = fragments_of(document.prepared.document.definitions)  # type: ignore[union-attr]
    resource = components.selection(list(route.resource_fields), fragments)
    if route.listed:
        resource = {"type": "array", "items": resource}
    if route.connection:
        resource = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": resource},
                "next": {
                    "anyOf": [{"type": "string"}, {"type": "null"}],
                    "description": "The cursor of the next page (pass it as `after`); "
                    "null on the last page.",
                },
                "totalCount": {"type": "integer", "description": "How many match, across pages."},
            },
            "required": ["items", "next", "totalCount"],
            "additionalProperties": False,
        }
    success = "201" if route.method == "POST" else "200"
    headers: dict[str, Any] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    if route.connection:
        headers["Link"] = {
            "description": 'The next page: `<url>; rel="next"` (absent on the last page).',
            "schema": {"type": "string"},
        }
    if success == "201":
        headers["Location"] = {"description": "The new object's URL.", "schema": {"type": "string"}}
    responses: dict[str, Any] = {
        success: {
            "description": route.summary,
            "headers": headers,
            "content": {"application/json": {"schema": resource}},
        }
    }
    if route.method == "GET":
        responses["304"] = {"description": "Unchanged since the `If-None-Match` tag."}
    for status in _error_statuses(route):
        schema = {"$ref": "#/components/schemas/ValidationError"} if status == 422 else ERROR
        responses[str(status)] = {
            "description": _ERRORS[status],
            "content": {"application/json": {"schema": schema}},
        }
    described: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "description": _root_description(route, components.schema),
        "parameters": [
            *(_parameter(p, "path", components) for p in route.path_parameters),
            *(_parameter(p, "query", components) for p in route.query_parameters),
        ],
        "responses": responses,
        "x-graphql-operation": {
            "name": route.name,
            "documentId": document.id,
            "document": document.text,
        },
    }
    if route.method == "GET":
        described["parameters"].append(_header("If-None-Match", "Answer 304 while the tag holds."))
    if route.body is not None:
        filled = tuple(p.name for p in route.path_parameters if p.in_input)
        described["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": components.input_object(route.body, exclude=filled)}
            },
        }
        if route.versioned:
            described["parameters"].append(
                _header("If-Match", "The object's ETag as read: the change needs that version.")
            )
    return described


def _head(get: dict[str, Any]) -> dict[str, Any]:
    """HEAD of a GET route: the GET's status and headers (its ETag, a list's Link), no
    body. It runs the same operation, so a client can check a tag without the body."""
    responses = {
        status: {k: v for k, v in response.items() if k != "content"}
        for status, response in get["responses"].items()
    }
    return {
        **get,
        "operationId": f"{get['operationId']}Head",
        "summary": f"{get['summary']} (headers only)",
        "responses": responses,
    }


def _root_description(route: RestRoute, schema: GraphQLSchema) -> str:
    """What the SDL says of the root field, and the operation to move to."""
    mutation = route.operation.operation is OperationType.MUTATION
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    selection = route.operation.selection_set.selections[0]
    assert isinstance(selection, FieldNode)
    field = root.fields[selection.name.value]
    return (
        f"{field.description or route.summary}\n\nThe GraphQL operation `{route.name}` "
        f"(trusted document `{route.document.id}`) answers the same data."
    )


def _error_statuses(route: RestRoute) -> list[int]:
    statuses = [400, 401, 403]
    if route.path_parameters or route.body is not None:
        statuses.append(404)
    if route.versioned:
        statuses += [409, 412]
    if route.body is not None:
        statuses += [415, 422]
    return [*statuses, 503]


def _parameter(parameter: Parameter, where: str, components: Components) -> dict[str, Any]:
    schema = components.value(parameter.type)
    if parameter.node_type is not None:
        schema = {"type": "string", "minLength": 1}
    described = parameter.description or parameter.name
    if parameter.node_type is not None:
        article = "an" if parameter.node_type[0] in "AEIOU" else "a"
        described += f" ({article} {parameter.node_type} global id, or its numeric `databaseId`)"
    found: dict[str, Any] = {
        "name": parameter.name,
        "in": where,
        "required": where == "path" or parameter.required,
        "description": described,
        "schema": schema
        if parameter.default is Undefined
        else {**schema, "default": parameter.default},
    }
    return found


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def _error_schemas(components: Components) -> dict[str, Any]:
    code = components.ref(components.schema.get_type("UserErrorCode"))  # type: ignore[arg-type]
    error = {
        "type": "object",
        "required": ["message"],
        "properties": {
            "message": {"type": "string", "description": "A sentence for people."},
            "extensions": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "A stable code for programs."}
                },
            },
            "path": {"type": "array", "description": "The GraphQL response path at fault."},
        },
    }
    return {
        "Error": {
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {"type": "array", "items": error, "minItems": 1}},
        },
        "ValidationError": {
            "type": "object",
            "required": ["errors", "fields"],
            "properties": {
                "errors": {"type": "array", "items": error, "minItems": 1},
                "fields": {
                    "type": "object",
                    "description": "The errors by input field (`budgetMicros`, `lines.0.amount`).",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": code, "message": {"type": "string"}},
                        },
                    },
                },
            },
        },
    }
