"""Parse + validate once per query text, cost once per (query text, variables).

Validation is most of the cost of a small query (≈0.5 ms against ≈0.05 ms to parse),
and a dashboard sends the same few query texts all day, so both results are memoised
in bounded LRU caches. Validation errors are cached too: a client retrying a broken
query is refused cheaply. The cost depends on the variables (`first: $n`), so it is
computed by Ariadne's cost validator, built with the variables of the request, and
cached per variables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ariadne.validation.query_cost import CostValidator
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    ValidationContext,
    ValidationRule,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from ads.api.depth import depth_limit_rule

DOCUMENTS = 512
COSTS = 2048


@dataclass(frozen=True, slots=True)
class Prepared:
    """A query text after parsing and validation (errors, if any, are request errors)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation to run, as graphql-core would pick it; None when ambiguous/absent."""
        assert self.document is not None
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if name is None:
            return operations[0] if len(operations) == 1 else None
        return next((o for o in operations if o.name and o.name.value == name), None)


@dataclass(frozen=True, slots=True)
class Cost:
    requested: int
    maximum: int
    errors: tuple[GraphQLError, ...]

    def report(self) -> dict[str, int]:
        return {"requestedQueryCost": self.requested, "maximumAvailable": self.maximum}


class QueryCache:
    """The two caches of one schema and one set of limits (one per app)."""

    def __init__(
        self, schema: GraphQLSchema, *, max_depth: int, max_cost: int, introspection: bool
    ) -> None:
        self.schema = schema
        self.max_cost = max_cost
        rules = [*specified_rules, depth_limit_rule(max_depth)]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self._rules = tuple(rules)
        self._pinned: dict[str, Prepared] = {}
        self._prepared = lru_cache(maxsize=DOCUMENTS)(self._prepare)
        self._cost = lru_cache(maxsize=COSTS)(self._compute_cost)

    def prepare(self, query: str) -> Prepared:
        """The parsed and validated document of a query text (from a cache when seen)."""
        pinned = self._pinned.get(query)
        return pinned if pinned is not None else self._prepared(query)

    def pin(self, query: str, prepared: Prepared) -> None:
        """Keep a prepared text for good, out of the LRU (the trusted documents)."""
        self._pinned[query] = prepared

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query)
        except GraphQLError as error:
            return Prepared(None, (error,))
        errors = validate(self.schema, document, self._rules)
        return Prepared(document, tuple(errors))

    def cost(self, query: str, variables: dict[str, Any] | None) -> Cost:
        """The cost of a prepared, valid query with these variables."""
        key = json.dumps(variables, sort_keys=True, default=str) if variables else ""
        return self._cost(query, key)

    def _compute_cost(self, query: str, variables_key: str) -> Cost:
        document = self.prepare(query).document
        assert document is not None
        variables = json.loads(variables_key) if variables_key else None
        measured: list[int] = []
        rule = _measuring_cost_rule(self.max_cost, variables, measured)
        errors = validate(self.schema, document, [rule])
        requested = measured[0] if measured else 0
        return Cost(requested, self.max_cost, tuple(errors))


def _measuring_cost_rule(
    maximum: int, variables: dict[str, Any] | None, measured: list[int]
) -> type[ValidationRule]:
    """Ariadne's cost validator, also handing back the cost it computed (to report it)."""

    class MeasuringCost(CostValidator):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context, maximum_cost=maximum, variables=variables)

        def leave_document(self, *_args: Any) -> None:
            measured.append(self.cost)

    return MeasuringCost


def is_mutation(operation: OperationDefinitionNode) -> bool:
    return operation.operation is not OperationType.QUERY
