"""GraphQL types as JSON Schema (OpenAPI 3.1): outputs as selected, inputs whole.

An output object is described by the fields the operation selects, so a route's schema is
exactly the JSON it returns; enums and custom scalars are shared components, described
as the SDL describes them (`Micros` and `BigInt` as strings of digits).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
)

from ads.api.rest.resources.declaration import input_default
from ads.api.rest.resources.selections import Selected, selected

DIGITS = {"type": "string", "pattern": "^-?[0-9]+$"}
BUILT_IN: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "ID": {"type": "string"},
    "Boolean": {"type": "boolean"},
    "Int": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
    "Float": {"type": "number"},
}
#: How each custom scalar travels in JSON (the SDL describes what it means).
SCALARS: dict[str, dict[str, Any]] = {
    "Micros": DIGITS,
    "BigInt": DIGITS,
    "DateTime": {"type": "string", "format": "date-time"},
    "Date": {"type": "string", "format": "date"},
    "CurrencyCode": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "TimeZone": {"type": "string"},
    "JSONObject": {"type": "object"},
}
#: What inputs accept besides: micros and 64-bit integers as JSON integers too.
INPUT_SCALARS: dict[str, dict[str, Any]] = {
    "Micros": {"anyOf": [DIGITS, {"type": "integer"}]},
    "BigInt": {"anyOf": [DIGITS, {"type": "integer"}]},
}


class Components:
    """The shared schemas a document refers to, filled as routes are described."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.schemas: dict[str, dict[str, Any]] = {}

    def ref(self, named: GraphQLNamedType, *, input_: bool = False) -> dict[str, Any]:
        if isinstance(named, GraphQLScalarType) and named.name in BUILT_IN:
            return dict(BUILT_IN[named.name])
        name = named.name + ("Input" if input_ and named.name in INPUT_SCALARS else "")
        if name not in self.schemas:
            self.schemas[name] = self._component(named, input_=input_)
        return {"$ref": f"#/components/schemas/{name}"}

    def _component(self, named: GraphQLNamedType, *, input_: bool) -> dict[str, Any]:
        if isinstance(named, GraphQLEnumType):
            described = "; ".join(
                f"`{key}`: {value.description}" for key, value in named.values.items()
            )
            body: dict[str, Any] = {"type": "string", "enum": list(named.values)}
            text = " ".join(filter(None, [named.description, described]))
            return {**body, "description": text} if text else body
        if isinstance(named, GraphQLScalarType):
            shape = (INPUT_SCALARS if input_ else {}).get(named.name) or SCALARS.get(
                named.name, {"type": "string"}
            )
            return {**shape, "description": named.description or named.name}
        if isinstance(named, GraphQLInputObjectType):
            self.schemas[named.name] = {}  # a placeholder: input types may refer to themselves
            return self.input_object(named, exclude=())
        raise TypeError(f"no component for {named}")

    def input_object(
        self, named: GraphQLInputObjectType, *, exclude: tuple[str, ...]
    ) -> dict[str, Any]:
        """An input object's schema; `exclude`: fields the path fills."""
        properties = {}
        required = []
        for name, field in named.fields.items():
            if name in exclude:
                continue
            described = self.input_type(field.type)
            if field.description:
                described = {**described, "description": field.description}
            default = input_default(field)
            if default is not Undefined and default is not None:
                described["default"] = default
            properties[name] = described
            if isinstance(field.type, GraphQLNonNull) and default is Undefined:
                required.append(name)
        body: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if named.description:
            body["description"] = named.description
        if required:
            body["required"] = required
        return body

    def input_type(self, type_: GraphQLInputType) -> dict[str, Any]:
        if isinstance(type_, GraphQLNonNull):
            return self._input_inner(type_.of_type)
        return _nullable(self._input_inner(type_))

    def value(self, type_: GraphQLInputType) -> dict[str, Any]:
        """A non-null value of the type (a path or query-string parameter's)."""
        return self._input_inner(get_nullable_type(type_))

    def _input_inner(self, type_: Any) -> dict[str, Any]:
        if isinstance(type_, GraphQLList):
            return {"type": "array", "items": self.input_type(type_.of_type)}
        return self.ref(type_, input_=True)

    def output(
        self,
        type_: GraphQLOutputType,
        node: Selected | None,
        fragments: dict[str, FragmentDefinitionNode],
        *,
        fields: list[Selected] | None = None,
    ) -> dict[str, Any]:
        """The JSON of a selected field: `fields` given, of those (a resource's)."""
        if isinstance(type_, GraphQLNonNull):
            return self._output_inner(type_.of_type, node, fragments, fields)
        return _nullable(self._output_inner(type_, node, fragments, fields))

    def _output_inner(
        self,
        type_: Any,
        node: Selected | None,
        fragments: dict[str, FragmentDefinitionNode],
        fields: list[Selected] | None,
    ) -> dict[str, Any]:
        if isinstance(type_, GraphQLList):
            return {
                "type": "array",
                "items": self.output(type_.of_type, node, fragments, fields=fields),
            }
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            if fields is None:
                assert node is not None
                fields = selected(node.node.selection_set, type_, self.schema, fragments)
            return self.selection(fields, fragments)
        return self.ref(type_)

    def selection(
        self, fields: list[Selected], fragments: dict[str, FragmentDefinitionNode]
    ) -> dict[str, Any]:
        properties = {}
        for item in fields:
            described = self.output(item.field.type, item, fragments)
            if item.field.description:
                described = {**described, "description": item.field.description}
            properties[item.key] = described
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}
