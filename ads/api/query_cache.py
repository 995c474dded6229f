"""Parse + validate once per query text, cost once per (query text, variables).

Validation is most of the cost of a small query (≈0.5 ms against ≈0.05 ms to parse),
and a dashboard sends the same few query texts all day, so both results are memoised
in bounded LRU caches. Validation errors are cached too: a client retrying a broken
query is refused cheaply. The cost depends on the variables (`first: $n`), so it is
computed by Ariadne's cost validator, built with the variables of the request, and
cached per variables.

Before validation, a document must be within its limits (ads/api/document_limits.py);
one that is not is refused without being validated. Entries are keyed by a digest of
the text, never the text itself, and the documents cache is bounded by the size of the
texts it holds as well as by their number: a parsed document weighs about a hundred
times its text, and an attacker's distinct documents must not fill the memory.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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

from ads.api.document_limits import DocumentLimits, limit_errors, parse_limited

DOCUMENTS = 512
#: The most query text the documents cache holds (≈100× that in parsed documents).
DOCUMENT_CHARACTERS = 500_000
COSTS = 2048

V = TypeVar("V")


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


class _LRU(Generic[V]):
    """A thread-safe LRU bounded by entries and by the total weight of its entries."""

    def __init__(self, *, entries: int, weight: int) -> None:
        self.entries, self.weight = entries, weight
        self._items: OrderedDict[bytes, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: bytes, value: V, weight: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._items[key] = (value, weight)
            self._weight += weight
            while self._items and (len(self._items) > self.entries or self._weight > self.weight):
                _, (_, dropped) = self._items.popitem(last=False)
                self._weight -= dropped


def _digest(*parts: str) -> bytes:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.digest()


class QueryCache:
    """The two caches of one schema and one set of limits (one per app).

    `cached` and `cached_cost` only look; `prepare` and `cost` do the work on a miss,
    and are what the HTTP handler runs off the event loop.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        limits: DocumentLimits,
        max_cost: int,
        introspection: bool,
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.max_cost = max_cost
        # Without introspection, suggestions ("Did you mean …?") would give the schema away.
        self.hide_suggestions = not introspection
        rules = list(specified_rules)
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self._rules = tuple(rules)
        self._documents: _LRU[Prepared] = _LRU(entries=DOCUMENTS, weight=DOCUMENT_CHARACTERS)
        self._costs: _LRU[Cost] = _LRU(entries=COSTS, weight=COSTS)
        self._pinned: dict[str, Prepared] = {}

    def cached(self, query: str) -> Prepared | None:
        """The prepared document of a text seen before (a trusted one, or one in the LRU)."""
        pinned = self._pinned.get(query)
        return pinned if pinned is not None else self._documents.get(_digest(query))

    def prepare(self, query: str) -> Prepared:
        """The parsed and validated document of a query text (from a cache when seen)."""
        found = self.cached(query)
        if found is not None:
            return found
        prepared = self._prepare(query)
        if len(query) <= self.limits.max_bytes:  # one too large is refused again cheaply
            self._documents.put(_digest(query), prepared, len(query))
        return prepared

    def pin(self, query: str, prepared: Prepared) -> None:
        """Keep a prepared text for good, out of the LRU (the trusted documents)."""
        self._pinned[query] = prepared

    def prepare_trusted(self, query: str) -> Prepared:
        """A trusted document (the server's own, registered at start): validated against
        the schema like any other, but not held to the limits on what clients send."""
        try:
            document = parse(query)
        except GraphQLError as error:
            return Prepared(None, (error,))
        return self._validated(document)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse_limited(query, self.limits)
        except GraphQLError as error:
            return Prepared(None, (error,))
        refused = limit_errors(document, self.limits)
        if refused:
            return Prepared(None, tuple(refused))
        return self._validated(document)

    def _validated(self, document: DocumentNode) -> Prepared:
        errors = validate(
            self.schema, document, self._rules, hide_suggestions=self.hide_suggestions
        )
        return Prepared(document, tuple(errors))

    def cached_cost(self, query: str, variables: dict[str, Any] | None) -> Cost | None:
        return self._costs.get(self._cost_key(query, variables)[0])

    def cost(self, query: str, variables: dict[str, Any] | None) -> Cost:
        """The cost of a prepared, valid query with these variables."""
        key, variables_text = self._cost_key(query, variables)
        found = self._costs.get(key)
        if found is not None:
            return found
        cost = self._compute_cost(query, variables_text)
        self._costs.put(key, cost, 1)
        return cost

    @staticmethod
    def _cost_key(query: str, variables: dict[str, Any] | None) -> tuple[bytes, str]:
        text = json.dumps(variables, sort_keys=True, default=str) if variables else ""
        return _digest(query, text), text

    def _compute_cost(self, query: str, variables_text: str) -> Cost:
        document = self.prepare(query).document
        assert document is not None
        variables = json.loads(variables_text) if variables_text else None
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
