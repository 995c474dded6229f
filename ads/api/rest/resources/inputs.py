"""A REST request as the variables of its operation: path, query string, body, If-Match.

Each value is typed by the GraphQL type of the variable (or input field) it fills, and
ids follow the one-id rule: a plain number is turned into the global id of the node type
the parameter names, anything else is passed on as sent. GraphQL then coerces and
validates the variables as it does for `/graphql`, so the two protocols refuse the same
input the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLEnumType, get_named_type

from ads.api.graphql_http import BadRequest
from ads.api.rest.resources.declaration import Parameter, RestRoute, node_type_of
from ads.api.rest.resources.etags import version_in
from ads.node_ids import InvalidId, global_id, parse_id

_INT = re.compile(r"-?[0-9]{1,10}")
EXPECTED_VERSION = "expectedVersion"


def not_found() -> BadRequest:
    """The one 404: the same for a missing object, another tenant's and a malformed id."""
    return BadRequest(404, "not found", "NOT_FOUND")


@dataclass(frozen=True, slots=True)
class Call:
    variables: dict[str, Any]
    #: True when `expectedVersion` came from If-Match (a stale one is then 412, not 409).
    if_match: bool


def call_for(
    route: RestRoute,
    path: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    body: Any,
    if_match: str | None,
) -> Call:
    """The operation's variables for this request; BadRequest (400, 404, 412) if none."""
    variables: dict[str, Any] = {}
    filled: dict[str, Any] = {}
    for parameter in route.path_parameters:
        value = _path_value(parameter, path[parameter.name])
        (filled if parameter.in_input else variables)[parameter.name] = value
    variables.update(_query_values(route, query))
    if route.body is None:
        return Call(variables, if_match=False)
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object", "BAD_REQUEST")
    data = {key: _body_value(key, value, route) for key, value in body.items()}
    for name, value in filled.items():
        if name in data and data[name] != value:
            raise BadRequest(
                400, f"`{name}` comes from the path; the body's differs", "BAD_REQUEST"
            )
        data[name] = value
    from_header = False
    if if_match is not None and route.versioned:
        try:
            version = version_in(if_match)
        except ValueError:
            raise BadRequest(
                412, "If-Match names no version of this resource", "PRECONDITION_FAILED"
            ) from None
        if version is not None:
            if data.get(EXPECTED_VERSION, version) != version:
                raise BadRequest(400, "If-Match and `expectedVersion` differ", "BAD_REQUEST")
            data[EXPECTED_VERSION] = version
            from_header = True
    variables["input"] = data
    return Call(variables, if_match=from_header)


def _path_value(parameter: Parameter, raw: str) -> Any:
    if parameter.node_type is not None:
        try:
            return global_id(parameter.node_type, parse_id(raw, parameter.node_type))
        except InvalidId:
            raise not_found() from None
    try:
        return _typed(parameter, raw)
    except BadRequest:
        raise not_found() from None


def _query_values(route: RestRoute, query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    known = {p.name: p for p in route.query_parameters}
    values: dict[str, Any] = {}
    for name, raw in query:
        parameter = known.get(name)
        if parameter is None:
            expected = ", ".join(known) or "none"
            raise BadRequest(
                400, f"unknown query parameter `{name}` (expected: {expected})", "BAD_REQUEST"
            )
        if name in values:
            raise BadRequest(400, f"the query parameter `{name}` is given twice", "BAD_REQUEST")
        values[name] = _typed(parameter, raw)
    for parameter in known.values():
        if parameter.required and parameter.name not in values:
            raise BadRequest(
                400, f"the query parameter `{parameter.name}` is required", "BAD_REQUEST"
            )
        requires = parameter.requires
        if requires is not None and parameter.name in values and requires not in values:
            raise BadRequest(
                400,
                f"the query parameter `{parameter.name}` goes with `{requires}`",
                "BAD_REQUEST",
            )
    return _gathered(known, values)


def _gathered(known: dict[str, Parameter], values: dict[str, Any]) -> dict[str, Any]:
    """Parameters spread from an input-object variable, gathered back into it."""
    variables: dict[str, Any] = {}
    for name, value in values.items():
        parameter = known[name]
        if parameter.field is None or parameter.variable is None:
            variables[name] = value
        else:
            variables.setdefault(parameter.variable, {})[parameter.field] = value
    return variables


def _typed(parameter: Parameter, raw: str) -> Any:
    """A query-string value as JSON of the parameter's GraphQL type."""
    named = get_named_type(parameter.type)
    kind = named.name
    if kind == "Int":
        if _INT.fullmatch(raw) is None:
            raise BadRequest(400, f"`{parameter.name}` must be an integer", "BAD_REQUEST")
        return int(raw)
    if kind == "Float":
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise BadRequest(400, f"`{parameter.name}` must be a number", "BAD_REQUEST")
        return number
    if kind == "Boolean":
        if raw not in ("true", "false"):
            raise BadRequest(400, f"`{parameter.name}` must be true or false", "BAD_REQUEST")
        return raw == "true"
    if isinstance(named, GraphQLEnumType) and raw not in named.values:
        raise BadRequest(
            400,
            f"`{parameter.name}` must be one of {', '.join(named.values)}, not `{raw}`",
            "BAD_REQUEST",
        )
    if parameter.node_type is not None:
        return _id(raw, parameter.node_type)
    return raw


def _body_value(key: str, value: Any, route: RestRoute) -> Any:
    """A body field, with plain numeric ids of id fields turned into global ids."""
    assert route.body is not None
    field = route.body.fields.get(key)
    node_type = node_type_of(key)
    if field is None or node_type is None or get_named_type(field.type).name != "ID":
        return value
    if isinstance(value, list):
        return [_id(item, node_type) for item in value]
    return _id(value, node_type)


def _id(value: Any, node_type: str) -> Any:
    """A numeric id as the global id; anything else as sent (GraphQL judges it)."""
    if type(value) is int or (isinstance(value, str) and value.isascii() and value.isdigit()):
        try:
            return global_id(node_type, parse_id(value, node_type))
        except InvalidId:
            return value
    return value
