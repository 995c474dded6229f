"""A REST route read from the trusted operation that declares it with `@rest`.

Everything a route is follows from its operation and the schema: the path parameters
fill the variables of that name (or, when the operation has none by that name, the
fields of its `input`); every other variable but `input` is a query-string parameter of
its GraphQL type; the JSON body of a change is `input`; the resource answered is the
root field, a mutation payload's object, or the path of response keys `resource` names.
A declaration that cannot work is a bug in the repository, refused when the app starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    is_non_null_type,
    type_from_ast,
    value_from_ast,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

from ads.api.rest.resources.selections import Selected, fragments_of, selected
from ads.api.trusted_documents import DocumentError, TrustedDocument
from ads.node_ids import NODE_TYPES

DIRECTIVE = "rest"
INPUT = "input"
QUERY_METHODS = frozenset({"GET"})
CHANGE_METHODS = frozenset({"POST", "PATCH", "PUT"})
#: Mutation payload fields that are bookkeeping, not the object changed.
PAYLOAD_META = frozenset({"userErrors", "clientMutationId"})
_PARAMETER = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
_PATH = re.compile(r"/v1(/([a-z][a-z0-9-]*|\{[A-Za-z][A-Za-z0-9]*\}))+")


def collection(type_name: str) -> str:
    """The path segment of a node type's collection: `AdGroup` → `ad-groups`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type_name).lower() + "s"


COLLECTIONS = {collection(name): name for name in NODE_TYPES}


def node_type_of(name: str, segment_before: str | None = None) -> str | None:
    """The node type an id parameter or field names: `campaignId`/`campaignIds` name a
    Campaign, `{id}` the node of the collection segment before it."""
    if name == "id":
        return COLLECTIONS.get(segment_before or "")
    stem = name.removesuffix("s").removesuffix("Id") if name.endswith(("Id", "Ids")) else ""
    candidate = stem[:1].upper() + stem[1:]
    return candidate if candidate in NODE_TYPES else None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A path or query-string parameter, typed by its GraphQL type."""

    name: str
    type: GraphQLInputType
    #: The node type whose plain numeric id this parameter accepts too (None: no id).
    node_type: str | None
    description: str | None
    #: True for a path parameter that fills a field of `input`.
    in_input: bool = False
    default: Any = Undefined
    #: For a query parameter spread from an input-object variable: that variable and
    #: the field of it this parameter fills (None: the parameter is the variable).
    variable: str | None = None
    field: str | None = None
    #: The parameter this one goes with (`direction` with `orderBy`), if any.
    requires: str | None = None

    @property
    def required(self) -> bool:
        return is_non_null_type(self.type) and self.default is Undefined


@dataclass(frozen=True, slots=True)
class RestRoute:
    """One route: its method, path template and the operation that serves it."""

    method: str
    path: str
    document: TrustedDocument
    operation: OperationDefinitionNode
    path_parameters: tuple[Parameter, ...]
    query_parameters: tuple[Parameter, ...]
    #: The type of the JSON body (the operation's `input`), for a change.
    body: GraphQLInputObjectType | None
    #: Response keys from `data` to the resource.
    resource: tuple[str, ...]
    #: Response keys from `data` to a mutation's payload (its `userErrors`), if any.
    payload: tuple[str, ...] | None
    #: What the resource is: an object type (a node fragment's type), or a connection's.
    resource_type: GraphQLNamedType
    #: The selection of the resource's fields (the items' for a connection).
    resource_fields: tuple[Selected, ...]
    connection: bool
    #: True when the resource is a list (of points, rows).
    listed: bool

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def summary(self) -> str:
        """The operation's leading comment (what each trusted document starts with)."""
        lines = self.document.text.splitlines()
        comment = [line.lstrip("# ").rstrip() for line in lines if line.startswith("#")]
        return comment[0] if comment else self.name

    @property
    def body_fields(self) -> list[str]:
        """The input fields a client sends in the body (those of the path excluded)."""
        if self.body is None:
            return []
        filled = {p.name for p in self.path_parameters if p.in_input}
        return [name for name in self.body.fields if name not in filled]

    @property
    def versioned(self) -> bool:
        """Whether a change takes `expectedVersion` (and so `If-Match`)."""
        return self.body is not None and "expectedVersion" in self.body.fields


def declared_routes(documents: Iterable[TrustedDocument], schema: GraphQLSchema) -> list[RestRoute]:
    """Every route the trusted documents declare; DocumentError for a broken one."""
    routes = []
    seen: dict[tuple[str, str], str] = {}
    for document in documents:
        route = read_route(document, schema)
        if route is None:
            continue
        key = (route.method, _shape(route.path))
        if key in seen:
            raise DocumentError(
                f"{document.source}: {route.method} {route.path} is declared twice "
                f"(also by {seen[key]})"
            )
        seen[key] = document.source
        routes.append(route)
    return routes


def _shape(path: str) -> str:
    return _PARAMETER.sub("{}", path)


def read_route(document: TrustedDocument, schema: GraphQLSchema) -> RestRoute | None:
    """The route a document declares, or None when it declares none."""
    operation = document.prepared.operation(None)
    assert operation is not None
    directive = next((d for d in operation.directives or () if d.name.value == DIRECTIVE), None)
    if directive is None:
        return None
    try:
        return _route(document, operation, directive, schema)
    except _Broken as error:
        raise DocumentError(f"{document.source}: {error}") from None


class _Broken(Exception):
    pass


def _route(
    document: TrustedDocument,
    operation: OperationDefinitionNode,
    directive: DirectiveNode,
    schema: GraphQLSchema,
) -> RestRoute:
    arguments = {a.name.value: a.value for a in directive.arguments or ()}
    values = {k: v.value for k, v in arguments.items() if isinstance(v, StringValueNode)}
    if len(values) != len(arguments):
        raise _Broken("@rest takes string literals, not variables")
    method, path = values["method"].upper(), values["path"]
    mutation = operation.operation is OperationType.MUTATION
    allowed = CHANGE_METHODS if mutation else QUERY_METHODS
    if method not in allowed:
        raise _Broken(f"a {operation.operation.value} is served by {sorted(allowed)}, not {method}")
    if _PATH.fullmatch(path) is None:
        raise _Broken(f"{path!r} is not a path under /v1/ of segments and {{parameters}}")
    variables = {
        v.variable.name.value: (type_from_ast(schema, v.type), v.default_value)
        for v in operation.variable_definitions or ()
    }
    fragments = fragments_of(document.prepared.document.definitions)  # type: ignore[union-attr]
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    roots = selected(operation.selection_set, root, schema, fragments)
    usages = _argument_descriptions(roots, schema, fragments)
    body = None
    if INPUT in variables:
        body_type = get_named_type(variables[INPUT][0])
        if not isinstance(body_type, GraphQLInputObjectType) or method == "GET":
            raise _Broken("`$input` is the JSON body of a change: an input object")
        body = body_type
    elif mutation:
        raise _Broken("a change takes its JSON body as `$input`")
    path_parameters = _path_parameters(path, variables, body, usages)
    in_path = {p.name for p in path_parameters}
    query_parameters = tuple(
        parameter
        for name, (type_, default) in variables.items()
        if name not in in_path and name != INPUT
        for parameter in _query_parameters(name, type_, default, usages.get(name))
    )
    names = [p.name for p in (*path_parameters, *query_parameters)]
    for parameter in query_parameters:
        if not isinstance(get_named_type(parameter.type), GraphQLScalarType | GraphQLEnumType):
            raise _Broken(f"`{parameter.name}` cannot come from the query string (not a scalar)")
        if str(parameter.type).startswith("["):
            raise _Broken(f"`{parameter.name}` cannot come from the query string (a list)")
        if names.count(parameter.name) > 1:
            raise _Broken(f"two parameters are named `{parameter.name}`")
    if len(roots) != 1:
        raise _Broken("a route's operation selects exactly one root field")
    resource, payload, fields, owner = _resource(values.get("resource"), roots, schema, fragments)
    connection = owner if is_connection(get_named_type(owner.field.type)) else None
    if connection is not None and "after" not in variables:
        raise _Broken("a list route pages with `$after` (its `next` cursor)")
    resource_type = _resource_type(owner, connection, schema, fragments)
    return RestRoute(
        method=method,
        path=path,
        document=document,
        operation=operation,
        path_parameters=path_parameters,
        query_parameters=query_parameters,
        body=body,
        resource=resource,
        payload=payload,
        resource_type=resource_type[0],
        resource_fields=tuple(resource_type[1]),
        connection=connection is not None,
        listed=is_list_type(get_nullable_type(fields[-1].field.type)),
    )


def _parameter(
    name: str,
    type_: Any,
    default: Any,
    node_type: str | None,
    description: str | None,
    *,
    in_input: bool = False,
) -> Parameter:
    named = get_named_type(type_)
    if named.name == "ID" and node_type is None:
        node_type = node_type_of(name)
    return Parameter(
        name,
        type_,
        node_type if named.name == "ID" else None,
        description,
        in_input=in_input,
        default=Undefined if default is None else value_from_ast(default, type_),
    )


def _query_parameters(
    name: str, type_: Any, default: Any, description: str | None
) -> list[Parameter]:
    """The query parameters of a variable: itself, or for an input object of scalars
    (an ordering) its fields spread flat, the one required field under the variable's
    name and the others under their own (`$orderBy` → `orderBy=NAME&direction=DESC`)."""
    named = get_named_type(type_)
    if not isinstance(named, GraphQLInputObjectType):
        return [_parameter(name, type_, default, None, description)]
    if is_list_type(get_nullable_type(type_)):
        raise _Broken(f"`${name}` cannot come from the query string (a list)")
    required = [
        key
        for key, field in named.fields.items()
        if is_non_null_type(field.type) and input_default(field) is Undefined
    ]
    if len(required) != 1:
        raise _Broken(
            f"`${name}` ({named.name}) comes from the query string as its one required "
            f"field under the name `{name}`; it has {len(required)}"
        )
    lead = required[0]
    parameters = []
    for key, field in named.fields.items():
        field_type = (
            field.type if key != lead or is_non_null_type(type_) else get_nullable_type(field.type)
        )
        parameters.append(
            Parameter(
                name if key == lead else key,
                field_type,
                None,
                _joined(description, field.description)
                if key == lead
                else _joined(field.description, f"With `{name}` only"),
                default=input_default(field) if key != lead else Undefined,
                variable=name,
                field=key,
                requires=None if key == lead else name,
            )
        )
    return parameters


def input_default(field: GraphQLInputField) -> Any:
    """An input field's default as JSON sends it (`"ASC"`), Undefined when it has none.

    graphql-core 3.3 keeps an SDL default as its literal (`default`); `default_value`
    is set only for defaults given as Python values."""
    if field.default_value is not Undefined:
        return field.default_value
    default = field.default
    if default is None:
        return Undefined
    literal = default.literal
    if literal is not Undefined and literal is not None:
        return value_from_ast_untyped(literal)
    return default.value


def _joined(*sentences: str | None) -> str | None:
    return " ".join(s.rstrip(".") + "." for s in sentences if s) or None


def _path_parameters(
    path: str,
    variables: dict[str, tuple[Any, Any]],
    body: GraphQLInputObjectType | None,
    usages: dict[str, str | None],
) -> tuple[Parameter, ...]:
    parameters = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        match = _PARAMETER.fullmatch(segment)
        if match is None:
            continue
        name = match.group(1)
        node_type = node_type_of(name, segments[index - 1])
        if name in variables:
            type_, _ = variables[name]
            parameters.append(_parameter(name, type_, None, node_type, usages.get(name)))
        elif body is not None and name in body.fields:
            field = body.fields[name]
            parameters.append(
                _parameter(name, field.type, None, node_type, field.description, in_input=True)
            )
        else:
            raise _Broken(f"{{{name}}} is neither a variable nor a field of `$input`")
        if not is_non_null_type(parameters[-1].type):
            raise _Broken(f"{{{name}}} fills a nullable variable or field: make it required")
    return tuple(parameters)


def _argument_descriptions(
    roots: list[Selected], schema: GraphQLSchema, fragments: dict[str, Any]
) -> dict[str, str | None]:
    """Each variable's description: that of the first argument it is passed to."""
    found: dict[str, str | None] = {}
    pending = list(roots)
    while pending:
        item = pending.pop(0)
        for argument in item.node.arguments or ():
            if isinstance(argument.value, VariableNode):
                definition = item.field.args.get(argument.name.value)
                description = definition.description if definition else None
                found.setdefault(argument.value.name.value, description)
        inner = get_named_type(item.field.type)
        if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType):
            pending += selected(item.node.selection_set, inner, schema, fragments)
    return found


def _resource(
    declared: str | None, roots: list[Selected], schema: GraphQLSchema, fragments: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...] | None, list[Selected], Selected]:
    """The response keys to the resource, to the payload, and the fields on the way."""
    keys = declared.split(".") if declared else [roots[0].key]
    chain: list[Selected] = []
    level = roots
    for key in keys:
        item = next((s for s in level if s.key == key), None)
        if item is None:
            raise _Broken(f"`resource` names {declared!r}, which the operation does not select")
        chain.append(item)
        inner = get_named_type(item.field.type)
        level = (
            selected(item.node.selection_set, inner, schema, fragments)
            if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType)
            else []
        )
    payload = None
    if any(s.key == "userErrors" for s in level):
        if {"field", "message", "code"} - {
            s.key for s in _sub(next(s for s in level if s.key == "userErrors"), schema, fragments)
        }:
            raise _Broken("a payload's `userErrors` must select field, message and code")
        objects = [s for s in level if s.key not in PAYLOAD_META]
        if len(objects) != 1:
            raise _Broken("a payload answers the one object it selects besides userErrors")
        payload = tuple(s.key for s in chain)
        chain.append(objects[0])
    elif chain[0].on is schema.mutation_type:
        raise _Broken("a change's payload must select `userErrors`")
    return tuple(s.key for s in chain), payload, chain, chain[-1]


def _sub(item: Selected, schema: GraphQLSchema, fragments: dict[str, Any]) -> list[Selected]:
    inner = get_named_type(item.field.type)
    if not isinstance(inner, GraphQLObjectType | GraphQLInterfaceType):
        return []
    return selected(item.node.selection_set, inner, schema, fragments)


def is_connection(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType) and {"nodes", "pageInfo"} <= set(type_.fields)


def _resource_type(
    owner: Selected,
    connection: Selected | None,
    schema: GraphQLSchema,
    fragments: dict[str, Any],
) -> tuple[GraphQLNamedType, list[Selected]]:
    """The type of the resource (of a connection's items) and its selected fields."""
    fields = _sub(owner, schema, fragments)
    if connection is not None:
        keys = {s.key: s for s in fields}
        info = (
            {s.key for s in _sub(keys["pageInfo"], schema, fragments)}
            if "pageInfo" in keys
            else set()
        )
        if "nodes" not in keys or not {"hasNextPage", "endCursor"} <= info:
            raise _Broken("a list route selects `nodes` and `pageInfo { hasNextPage endCursor }`")
        owner = keys["nodes"]
        fields = _sub(owner, schema, fragments)
    type_ = get_named_type(owner.field.type)
    concrete = {s.on for s in fields if s.key != "__typename"}
    if isinstance(type_, GraphQLInterfaceType):
        if len(concrete) != 1:
            raise _Broken("a node route selects the fields of one type (`... on Type`)")
        type_ = concrete.pop()
    return type_, fields
