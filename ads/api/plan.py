"""Execution plans of the trusted documents: their queries run on a tree computed at start.

For every field of every object of a response, graphql-core works out again which
field it is, what it returns, how to complete it (non-null? list? leaf? object?), which
sub-fields to collect, and builds a path, an info and a completion chain for it: about
ten calls per field whatever the resolver does. For a document known at start all of
that is known at start too. A plan holds, per selection set, the fields to resolve with
their definition, resolver, arguments (coerced once when they hold no variable), the
completion they need and the plan of their own selections; a run walks it over the
data, calling resolvers and coercing leaves, with graphql-core's own rules for nulls
and errors: a field error is located at its path, a null in a non-null position
travels up to the nearest nullable field, and later errors under a nulled position are
dropped (the executor's `collected_errors`).

A plan covers what the trusted documents use: object types, lists of objects or of
leaves, leaves, fragments, `__typename`, and abstract types (`node(id:)`): a field of
an interface or union holds a plan per possible object type, and a run picks the one
its resolved type names (anything graphql-core would refuse, it refuses the same way).
A document using anything else (directives, introspection, nested lists) gets no plan
and runs on graphql-core as before; so do mutations, whose root fields run one after
the other.
The executor conformance run of the suite checks the answers against graphql-core's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import GeneratorType
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    default_field_resolver,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    located_error,
    specified_scalar_types,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_awaitable, is_iterable

Getter = Callable[[Any], Any]
Reader = Callable[[Any, Any], Any]
Leaves = Mapping[str, Mapping[str, tuple[Getter, Callable[[Any], Any]]]]
F = TypeVar("F", bound=Callable[..., Any])
_FAST_READ = "__ads_fast_read__"
#: Scalars whose output coercion returns a value of this type unchanged.
_SAME = {"String": str, "ID": str, "Boolean": bool}

LEAF, OBJECT, LEAF_LIST, OBJECT_LIST, TYPENAME, ABSTRACT, ABSTRACT_LIST = range(7)


class Unsupported(Exception):
    """The document uses something plans do not cover: graphql-core runs it."""


def fast_read(reader: Reader) -> Callable[[F], F]:
    """Mark a resolver (of a field without arguments) whose value, once loaded, is
    `reader(source, context)`, synchronously: a plan then completes that value without
    calling the resolver (no path, info or arguments built for it).

    `reader` must be free of side effects and return None whenever the resolver has to
    run instead (a value still loading, or a null the resolver reports).
    """

    def mark(resolver: F) -> F:
        setattr(resolver, _FAST_READ, reader)
        return resolver

    return mark


#: Whether a type's instances are awaitable. `await` looks `__await__` up on the type,
#: so the type answers for every instance but generator-based coroutines'. Asked of
#: every resolved value, graphql-core's check costs three calls, a failed `hasattr`
#: among them, where a dictionary look-up does.
_AWAITABLE: dict[type, bool] = dict.fromkeys((dict, list, str, int, float, bool, type(None)), False)


def _awaitable(value: Any) -> bool:
    kind = type(value)
    known = _AWAITABLE.get(kind)
    if known is None:
        known = is_awaitable(value)
        if kind is not GeneratorType:
            _AWAITABLE[kind] = known
    return known


@dataclass(slots=True, eq=False)
class FieldPlan:
    """One response key of a selection set and everything needed to complete it."""

    key: str
    name: str
    #: The object type the field is on.
    parent: GraphQLObjectType
    definition: GraphQLField | None
    nodes: list[FieldNode]
    resolve: Callable[..., Any]
    #: Arguments coerced once (they hold no variable); None: coerced per run.
    args: dict[str, Any] | None
    kind: int
    non_null: bool = False
    items_non_null: bool = False
    leaf: GraphQLLeafType | None = None
    #: The executor's fast read of a loaded leaf (ads.api.executor.leaf_table).
    fast: tuple[Getter, Callable[[Any], Any]] | None = None
    #: The type a leaf's value has when it coerces to itself (a `str` for String and ID).
    same: type | None = None
    #: The resolver's `fast_read(source, context)`, for a field without arguments.
    read: Reader | None = None
    sub: ObjectPlan | None = None
    #: An abstract field's type and the plan of each of its possible object types.
    abstract: GraphQLAbstractType | None = None
    subs: dict[str, ObjectPlan] | None = None


@dataclass(slots=True, eq=False)
class ObjectPlan:
    type: GraphQLObjectType
    fields: list[FieldPlan]


def operation_plans(
    schema: GraphQLSchema, documents: Iterable[DocumentNode], leaves: Leaves
) -> dict[int, ObjectPlan]:
    """Plans of the queries of these documents, keyed by `id()` of their operation node
    (the documents live as long as the registry that holds them)."""
    plans: dict[int, ObjectPlan] = {}
    for document in documents:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            # A directive on the operation itself (`@rest` of a REST route) does not change
            # its execution: @skip and @include cannot stand there.
            if operation.operation is not OperationType.QUERY:
                continue
            root = schema.query_type
            assert root is not None
            try:
                plans[id(operation)] = _object_plan(
                    schema, root, [operation.selection_set], fragments, leaves
                )
            except Unsupported:
                continue
    return plans


def _object_plan(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    leaves: Leaves,
) -> ObjectPlan:
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        _collect(schema, parent, selection_set, fragments, grouped, set())
    fast_leaves = leaves.get(parent.name, {})
    fields = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if name == "__typename":
            fields.append(
                FieldPlan(key, name, parent, None, nodes, default_field_resolver, {}, TYPENAME)
            )
            continue
        definition = parent.fields.get(name)
        if definition is None or name.startswith("__"):
            raise Unsupported(name)
        fields.append(
            _field_plan(schema, parent, key, nodes, definition, fast_leaves, fragments, leaves)
        )
    return ObjectPlan(parent, fields)


def _collect(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    """graphql-core's field collection, for selections without directives."""
    for selection in selection_set.selections:
        if selection.directives:
            raise Unsupported("directives")
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if _applies(schema, parent, selection.type_condition):
                _collect(schema, parent, selection.selection_set, fragments, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if name in visited or fragment is None:
                continue
            visited.add(name)
            if _applies(schema, parent, fragment.type_condition):
                _collect(schema, parent, fragment.selection_set, fragments, grouped, visited)


def _applies(schema: GraphQLSchema, parent: GraphQLObjectType, condition: Any) -> bool:
    if condition is None:
        return True
    conditional = schema.get_type(condition.name.value)
    if conditional is parent:
        return True
    if conditional is None or is_object_type(conditional):
        return False
    return schema.is_sub_type(conditional, parent)  # type: ignore[arg-type]


def _field_plan(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    key: str,
    nodes: list[FieldNode],
    definition: GraphQLField,
    fast_leaves: Mapping[str, tuple[Getter, Callable[[Any], Any]]],
    fragments: Mapping[str, FragmentDefinitionNode],
    leaves: Leaves,
) -> FieldPlan:
    non_null = is_non_null_type(definition.type)
    inner = get_nullable_type(definition.type)
    listed = is_list_type(inner)
    items_non_null = False
    if listed:
        items = inner.of_type  # type: ignore[union-attr]
        items_non_null = is_non_null_type(items)
        inner = get_nullable_type(items)
        if is_list_type(inner):
            raise Unsupported("nested lists")
    node = nodes[0]
    args: dict[str, Any] | None = {}
    if definition.args or node.arguments:
        args = None if _uses_variables(node) else get_argument_values(definition, node)
    resolve = definition.resolve or default_field_resolver
    read = None if definition.args else getattr(resolve, _FAST_READ, None)
    common = (key, node.name.value, parent, definition, nodes, resolve, args)
    if is_leaf_type(inner):
        return FieldPlan(
            *common,
            LEAF_LIST if listed else LEAF,
            non_null,
            items_non_null,
            leaf=inner,
            fast=None if listed else fast_leaves.get(node.name.value),
            same=_SAME.get(inner.name) if specified_scalar_types.get(inner.name) is inner else None,
            read=read,
        )
    selection_sets = [n.selection_set for n in nodes if n.selection_set is not None]
    if is_abstract_type(inner):
        return FieldPlan(
            *common,
            ABSTRACT_LIST if listed else ABSTRACT,
            non_null,
            items_non_null,
            read=read,
            abstract=inner,
            subs={
                possible.name: _object_plan(schema, possible, selection_sets, fragments, leaves)
                for possible in schema.get_possible_types(inner)
            },
        )
    assert is_object_type(inner)
    return FieldPlan(
        *common,
        OBJECT_LIST if listed else OBJECT,
        non_null,
        items_non_null,
        read=read,
        sub=_object_plan(schema, inner, selection_sets, fragments, leaves),
    )


def _uses_variables(node: FieldNode) -> bool:
    return any(_holds_variable(argument.value) for argument in node.arguments or ())


def _holds_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_holds_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_holds_variable(field.value) for field in value.fields)
    return False


class PlanRun:
    """One operation's execution on a plan, inside a graphql-core executor (whose
    variables, context and collected errors it uses)."""

    __slots__ = ("awaitables", "context", "executor", "is_awaitable")

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.context = executor.context_value
        own = executor.is_awaitable
        default = own is is_awaitable
        self.is_awaitable = _awaitable if default else own
        #: What is known per type (nothing when the executor checks in its own way).
        self.awaitables = _AWAITABLE if default else {}

    def root(self, plan: ObjectPlan, root_value: Any) -> Any:
        return self.object(plan, root_value, None)

    def object(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        results: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        awaitables = self.awaitables
        context = self.context
        try:
            for field in plan.fields:
                fast = field.fast
                if fast is not None:
                    try:
                        value = fast[0](source)
                        if value is not None:
                            if type(value) is field.same:
                                results[field.key] = value
                                continue
                            coerced = fast[1](value)
                            if coerced is not None and coerced is not Undefined:
                                results[field.key] = coerced
                                continue
                    except Exception:  # noqa: S110 - the resolver below reports it
                        pass
                if field.kind == TYPENAME:
                    results[field.key] = plan.type.name
                    continue
                read = field.read
                value = None
                if read is not None:
                    try:
                        value = read(source, context)
                    except Exception:
                        value = None  # the resolver below reports it
                if value is None:
                    value = self.field(field, source, path)
                else:
                    value = self.loaded(field, path, value)
                results[field.key] = value
                known = awaitables.get(type(value))
                if known or (known is None and is_awaitable(value)):
                    pending.append(field.key)
        except Exception:
            if pending:
                self.executor.settle_in_background([results[key] for key in pending])
            raise
        if not pending:
            return results
        return _gather_fields(results, pending)

    def loaded(self, field: FieldPlan, at: Any, value: Any) -> Any:
        """A field's value read by its resolver's `fast_read`, completed."""
        path = Path(at, field.key, field.parent.name)
        try:
            if field.kind == OBJECT and not isinstance(value, Exception):
                completed = self.object(field.sub, value, path)  # type: ignore[arg-type]
            else:
                completed = self.complete(field, path, value)
            if self.is_awaitable(completed):
                return self._completed_later(field, path, completed)
            return completed
        except Exception as raw:
            return self.field_error(raw, field, path)

    def _info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo:
        executor = self.executor
        assert field.definition is not None
        return GraphQLResolveInfo(
            field.name,
            field.nodes,
            field.definition.type,
            field.parent,
            path,
            executor.schema,
            executor.fragment_definitions,
            executor.root_value,
            executor.operation,
            executor.variable_values,
            executor.context_value,
            executor.is_awaitable,
            executor.abort_signal,
            executor.async_helpers,
        )

    def field(self, field: FieldPlan, source: Any, at: Any) -> Any:
        path = Path(at, field.key, field.parent.name)
        executor = self.executor
        info = self._info(field, path)
        try:
            args = field.args
            if args is None:
                args = get_argument_values(
                    field.definition,  # type: ignore[arg-type]
                    field.nodes[0],
                    executor.variable_values,
                    None,
                    executor.hide_suggestions,
                )
            result = field.resolve(source, info, **args)
            if self.is_awaitable(result):
                return self._awaited_field(field, path, result, info)
            return self._completed(field, path, result, info)
        except Exception as raw:
            return self.field_error(raw, field, path)

    def _completed(
        self, field: FieldPlan, path: Path, value: Any, info: GraphQLResolveInfo | None = None
    ) -> Any:
        completed = self.complete(field, path, value, info)
        if self.is_awaitable(completed):
            return self._completed_later(field, path, completed)
        return completed

    def field_error(self, raw: Exception, field: FieldPlan, path: Path) -> None:
        error = located_error(raw, field.nodes, path.as_list())
        if field.non_null:
            raise error
        self.executor.collected_errors.add(error, path)

    async def _awaited_field(
        self, field: FieldPlan, path: Path, result: Awaitable[Any], info: GraphQLResolveInfo
    ) -> Any:
        try:
            resolved = await self.executor.with_abort_signal(result)
            completed = self.complete(field, path, resolved, info)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw:
            return self.field_error(raw, field, path)
        return completed

    async def _completed_later(self, field: FieldPlan, path: Path, completed: Any) -> Any:
        try:
            return await completed
        except Exception as raw:
            return self.field_error(raw, field, path)

    def complete(
        self, field: FieldPlan, path: Path, value: Any, info: GraphQLResolveInfo | None = None
    ) -> Any:
        """graphql-core's `complete_value` for the field's one known shape (`info`: the
        resolver's, when it was called; an abstract type's `resolve_type` is given it)."""
        if isinstance(value, Exception):
            raise value
        if value is None or value is Undefined:
            if field.non_null:
                raise TypeError(_null_message(field))
            return None
        kind = field.kind
        if kind == LEAF:
            return _leaf(field.leaf, value)  # type: ignore[arg-type]
        if kind == OBJECT:
            assert field.sub is not None
            return self.object(field.sub, value, path)
        if kind == ABSTRACT:
            return self.abstract(field, info, path, value)
        if not is_iterable(value):
            raise GraphQLError(
                f"Expected Iterable, but did not find one for field '{field.parent}.{field.name}'."
            )
        return self._items(field, path, value, info)

    def _items(
        self,
        field: FieldPlan,
        path: Path,
        values: Iterable[Any],
        info: GraphQLResolveInfo | None = None,
    ) -> Any:
        completed: list[Any] = []
        pending: list[int] = []
        is_awaitable = self.is_awaitable
        for index, item in enumerate(values):
            item_path = path.add_key(index, None)
            if is_awaitable(item):
                completed.append(self._awaited_item(field, item_path, item, info))
                pending.append(index)
                continue
            try:
                value = self._item(field, item_path, item, info)
            except Exception as raw:
                self._item_error(raw, field, item_path)
                value = None
            completed.append(value)
            if is_awaitable(value):
                completed[-1] = self._item_later(field, item_path, value)
                pending.append(index)
        if not pending:
            return completed
        return _gather_items(completed, pending)

    def _item(
        self, field: FieldPlan, path: Path, item: Any, info: GraphQLResolveInfo | None = None
    ) -> Any:
        if isinstance(item, Exception):
            raise item
        if item is None or item is Undefined:
            if field.items_non_null:
                raise TypeError(_null_message(field))
            return None
        if field.kind == LEAF_LIST:
            return _leaf(field.leaf, item)  # type: ignore[arg-type]
        if field.kind == ABSTRACT_LIST:
            return self.abstract(field, info, path, item)
        assert field.sub is not None
        return self.object(field.sub, item, path)

    def abstract(
        self, field: FieldPlan, info: GraphQLResolveInfo | None, path: Path, value: Any
    ) -> Any:
        """graphql-core's `complete_abstract_value`, on the resolved type's plan."""
        assert field.abstract is not None
        if info is None:  # a value read by `fast_read`: no resolver was given one
            info = self._info(field, path)
        resolve_type = field.abstract.resolve_type or self.executor.type_resolver
        runtime = resolve_type(value, info, field.abstract)
        if self.is_awaitable(runtime):
            return self._abstract_later(field, info, path, value, runtime)
        return self.object(self._plan_of(field, info, value, runtime), value, path)

    async def _abstract_later(
        self, field: FieldPlan, info: GraphQLResolveInfo, path: Path, value: Any, runtime: Any
    ) -> Any:
        name = await self.executor.with_abort_signal(runtime)
        completed = self.object(self._plan_of(field, info, value, name), value, path)
        return await completed if self.is_awaitable(completed) else completed

    def _plan_of(self, field: FieldPlan, info: GraphQLResolveInfo, value: Any, name: Any) -> Any:
        assert field.subs is not None
        found = field.subs.get(name) if isinstance(name, str) else None
        if found is None:  # graphql-core's own error for what is no possible type
            self.executor.ensure_valid_runtime_type(
                name, field.abstract, [FieldDetails(n, None) for n in field.nodes], info, value
            )
            raise GraphQLError(f"Runtime Object type '{name}' is not a possible type.")
        return found

    def _item_error(self, raw: Exception, field: FieldPlan, path: Path) -> None:
        error = located_error(raw, field.nodes, path.as_list())
        if field.items_non_null:
            raise error
        self.executor.collected_errors.add(error, path)

    async def _awaited_item(
        self,
        field: FieldPlan,
        path: Path,
        item: Awaitable[Any],
        info: GraphQLResolveInfo | None = None,
    ) -> Any:
        try:
            value = self._item(field, path, await self.executor.with_abort_signal(item), info)
            if self.is_awaitable(value):
                value = await value
        except Exception as raw:
            self._item_error(raw, field, path)
            return None
        return value

    async def _item_later(self, field: FieldPlan, path: Path, value: Any) -> Any:
        try:
            return await value
        except Exception as raw:
            self._item_error(raw, field, path)
            return None


def _null_message(field: FieldPlan) -> str:
    return f"Cannot return null for non-nullable field {field.parent}.{field.name}."


def _leaf(leaf: GraphQLLeafType, value: Any) -> Any:
    coerced = leaf.coerce_output_value(value)
    if coerced is Undefined or coerced is None:
        raise TypeError(
            f"Expected `{inspect(leaf)}.coerce_output_value({inspect(value)})` to return"
            f" non-nullable value, returned: {inspect(coerced)}"
        )
    return coerced


async def _gather_fields(results: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        awaited = await gather_with_cancel(*(results[key] for key in keys))
        results.update(zip(keys, awaited, strict=True))
    return results


async def _gather_items(items: list[Any], indices: list[int]) -> list[Any]:
    if len(indices) == 1:
        items[indices[0]] = await items[indices[0]]
    else:
        awaited = await gather_with_cancel(*(items[i] for i in indices))
        for index, value in zip(indices, awaited, strict=True):
            items[index] = value
    return items
