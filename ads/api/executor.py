"""graphql-core's executor with a fast path for plain leaf fields.

graphql-core spends ≈4-10 µs on every field whatever its resolver does: a `Path`, a
`GraphQLResolveInfo`, argument coercion, two awaitable checks and the value
completion chain. Most fields of a dashboard query are leaves (ids, names, statuses,
money amounts, counts) read from objects that are already loaded, so for those the
executor here reads the value and coerces it directly. The table of such fields is
computed once per schema:

- fields without a resolver, or with Ariadne's `resolve_to` (what `convert_names_case`
  binds for `budgetType` → `budget_type`): the attribute (or dict key) is read;
- fields whose resolver is marked with `fast_leaf(getter)`: `getter(source)` is used.

A leaf is taken on the fast path only when it has no arguments and the value is there
and coerces to a non-null result; anything else (None, a callable attribute, an
awaitable, an exception, a Mapping that is not a dict) goes through graphql-core's own
`execute_field`, which resolves the field again and reports errors and nulls exactly
as it always does. The fast path runs no resolver side effects, so retrying is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    GraphQLObjectType,
    GraphQLSchema,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.incremental.incremental_executor import IncrementalExecutor
from graphql.pyutils import Path, Undefined, gather_with_cancel
from sqlalchemy.orm import Mapper

from ads.api.plan import PlanRun, operation_plans

Getter = Callable[[Any], Any]
F = TypeVar("F", bound=Callable[..., Any])
_FAST_LEAF = "__ads_fast_leaf__"


def fast_leaf(getter: Getter) -> Callable[[F], F]:
    """Mark a leaf resolver whose value, when there, is `getter(source)`, synchronously.

    `getter` must be free of side effects and return None whenever the resolver has to
    run instead (a value still loading, for instance).
    """

    def mark(resolver: F) -> F:
        setattr(resolver, _FAST_LEAF, getter)
        return resolver

    return mark


MAPPING, MAPPED, OTHER = range(3)
#: How a leaf is read from instances of a type, found once per type: an ABC check costs
#: ≈10 plain calls, and a mapped column's descriptor a Python call, on every leaf.
_READS: dict[type, int] = {}


def _read_kind(kind: type, source: Any) -> int:
    if isinstance(source, Mapping):
        found = MAPPING
    elif isinstance(getattr(kind, "__mapper__", None), Mapper):
        found = MAPPED
    else:
        found = OTHER
    _READS[kind] = found
    return found


def _attribute(name: str) -> Getter:
    def get(source: Any) -> Any:
        kind = type(source)
        if kind is dict:
            value = source.get(name)
        else:
            read = _READS.get(kind)
            if read is None:
                read = _read_kind(kind, source)
            if read == MAPPING:
                return None
            # A loaded column of a mapped object is in its __dict__, which is what the
            # column's descriptor returns; anything else is read through the descriptor.
            value = source.__dict__.get(name) if read == MAPPED else None
            if value is None:
                value = getattr(source, name, None)
        return None if callable(value) else value

    return get


def _alias_name(resolver: Any) -> str | None:
    """The attribute behind one of Ariadne's `resolve_to` resolvers."""
    if not getattr(resolver, "_ariadne_alias_resolver", False):
        return None
    code, closure = getattr(resolver, "__code__", None), getattr(resolver, "__closure__", None)
    if code is None or closure is None or code.co_freevars != ("attr_name",):
        return None
    name = closure[0].cell_contents
    return name if isinstance(name, str) else None


def leaf_table(schema: GraphQLSchema) -> dict[str, dict[str, tuple[Getter, Callable[..., Any]]]]:
    """{object type name: {field name: (getter, coerce)}} of the fast leaves."""
    table: dict[str, dict[str, tuple[Getter, Callable[..., Any]]]] = {}
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        fields: dict[str, tuple[Getter, Callable[..., Any]]] = {}
        for field_name, field in named.fields.items():
            leaf = get_nullable_type(field.type)
            if field.args or not is_leaf_type(leaf):
                continue
            getter: Getter | None = None
            if field.resolve is None:
                getter = _attribute(field_name)
            elif (alias := _alias_name(field.resolve)) is not None:
                getter = _attribute(alias)
            else:
                getter = getattr(field.resolve, _FAST_LEAF, None)
            if getter is not None:
                fields[field_name] = (getter, leaf.coerce_output_value)
        if fields:
            table[type_name] = fields
    return table


def executor_class(schema: GraphQLSchema, documents: Iterable[DocumentNode] = ()) -> type[Any]:
    """The executor class for `schema`: graphql-core 3.3's, with the fast leaf path, and
    the queries of `documents` (the trusted ones) run on their plans (ads.api.plan)."""
    leaves = leaf_table(schema)
    plans = operation_plans(schema, documents, leaves)
    empty: dict[str, tuple[Getter, Callable[..., Any]]] = {}

    class FastLeafExecutor(IncrementalExecutor):
        def execute_collected_root_fields(
            self,
            root_type: GraphQLObjectType,
            root_value: Any,
            grouped_field_set: Any,
            serially: bool,
            new_defer_usages: Any,
        ) -> Any:
            plan = plans.get(id(self.operation))
            if plan is None or serially or new_defer_usages or self.middleware_manager:
                return super().execute_collected_root_fields(
                    root_type, root_value, grouped_field_set, serially, new_defer_usages
                )
            return PlanRun(self).root(plan, root_value)

        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Path | None,
            grouped_field_set: Any,
            position_context: Any,
        ) -> Any:
            if self.middleware_manager:
                return super().execute_fields(
                    parent_type, source_value, path, grouped_field_set, position_context
                )
            fast = leaves.get(parent_type.name, empty)
            results: dict[str, Any] = {}
            is_awaitable = self.is_awaitable
            awaitable_fields: list[str] = []
            try:
                for response_name, field_details_list in grouped_field_set.items():
                    plain = fast.get(field_details_list[0].node.name.value)
                    if plain is not None:
                        try:
                            value = plain[0](source_value)
                            if value is not None:
                                coerced = plain[1](value)
                                if coerced is not None and coerced is not Undefined:
                                    results[response_name] = coerced
                                    continue
                        except Exception:  # noqa: S110 - the normal path reports it
                            pass
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is not Undefined:
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
            except Exception:
                if awaitable_fields:
                    self.settle_in_background([results[f] for f in awaitable_fields])
                raise
            if not awaitable_fields:
                return results
            return _gather(self, results, awaitable_fields)

    return FastLeafExecutor


async def _gather(executor: Any, results: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """graphql-core's own ending of `execute_fields` when some fields are awaitable."""
    if len(fields) == 1:
        results[fields[0]] = await results[fields[0]]
    else:
        awaited = await gather_with_cancel(*(results[f] for f in fields))
        results.update(zip(fields, awaited, strict=True))
    return results
