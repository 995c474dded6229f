"""Limits on a GraphQL document that hold before it is validated.

graphql-core's validation is not linear in the document: comparing fields that share a
response name (`OverlappingFieldsCanBeMergedRule`) is quadratic in how many there are,
so a few hundred copies of one field, or a few hundred aliases of one field with
different arguments, take seconds. Every check here is therefore done first, on the
parsed document, in time linear in its size: its length and token count (graphql-core's
own parser limits, which stop reading at the limit), then, for every operation and
fragment, the shape it expands to through its fragments (each fragment measured once,
so a chain of fragments that doubles at each step is counted, not walked):

- fields: every field selected, `__typename` included;
- aliases: every aliased field (each re-runs a resolver);
- depth: the deepest nesting (introspection's `__schema`/`__type` subtrees aside, so
  GraphiQL's introspection query passes when introspection is on);
- repeats: the most times one response name is selected in one selection set, which
  is what the quadratic comparison grows with.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graphql import (
    DefinitionNode,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    parse,
)

from ads.config import Settings

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """The most a document may hold; see the module docstring for what each counts."""

    max_bytes: int
    max_tokens: int
    max_depth: int
    max_fields: int
    max_aliases: int
    max_repeats: int

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentLimits:
        return cls(
            max_bytes=settings.graphql_max_body_bytes,
            max_tokens=settings.graphql_max_tokens,
            max_depth=settings.graphql_max_depth,
            max_fields=settings.graphql_max_fields,
            max_aliases=settings.graphql_max_aliases,
            max_repeats=settings.graphql_max_repeats,
        )


def parse_limited(query: str, limits: DocumentLimits) -> DocumentNode:
    """Parse `query`, stopping as soon as it is over the size or token limit.

    Raises GraphQLError: a syntax error, or a limit's with its code in `extensions`.
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise GraphQLError(
            f"The document is {size} bytes; the limit is {limits.max_bytes}.",
            extensions={"code": "DOCUMENT_TOO_LARGE"},
        )
    try:
        return parse(
            query,
            max_lexical_tokens=limits.max_tokens,
            max_comments=limits.max_tokens,
            max_source_length=limits.max_bytes,
            allow_empty_selection_sets=False,
        )
    except GraphQLSyntaxError as error:
        if error.message.endswith("Parsing aborted."):  # one of the limits above
            raise GraphQLError(
                f"The document holds more than {limits.max_tokens} tokens or comments; "
                "parsing stopped there.",
                extensions={"code": "MAX_TOKENS_EXCEEDED"},
            ) from None
        raise


def limit_errors(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """The limits the document goes over, one error per limit (empty: within limits).

    Every definition is held to the fields and repeats limits (validation walks unused
    fragments too); operations to the depth and aliases limits as well, since a
    fragment's depth and aliases count where it is spread.
    """
    measure = _Measure(document)
    errors: dict[str, GraphQLError] = {}

    def over(count: int, limit: int, code: str, message: str, node: DefinitionNode) -> bool:
        if count > limit and code not in errors:
            errors[code] = GraphQLError(
                f"{message}; the limit is {limit}.", node, extensions={"code": code}
            )
        return count > limit

    for definition in document.definitions:
        if not isinstance(definition, ExecutableDefinitionNode):
            continue
        shape = measure.definition(definition)
        name = _name(definition)
        if isinstance(definition, OperationDefinitionNode):
            over(
                shape.depth,
                limits.max_depth,
                "MAX_DEPTH_EXCEEDED",
                f"{name} is {shape.depth} levels deep",
                definition,
            )
            over(
                shape.aliases,
                limits.max_aliases,
                "MAX_ALIASES_EXCEEDED",
                f"{name} uses {shape.aliases} aliases",
                definition,
            )
        if over(
            shape.fields,
            limits.max_fields,
            "MAX_FIELDS_EXCEEDED",
            f"{name} selects {shape.fields} fields",
            definition,
        ):
            continue  # walking its merged fields would be as long as the document is big
        start = (
            frozenset({definition.name.value})
            if isinstance(definition, FragmentDefinitionNode)
            else frozenset()
        )
        repeats = measure.repeats([(definition.selection_set, start)])
        over(
            repeats,
            limits.max_repeats,
            "MAX_REPEATS_EXCEEDED",
            f"{name} selects one response path {repeats} times",
            definition,
        )
    return list(errors.values())


def limits_rule(limits: DocumentLimits) -> type[ValidationRule]:
    """The same checks as a validation rule, for a server that only takes rules (the
    stock baseline of bench/graphql_bench.py); ours runs them before validation."""

    class DocumentLimitsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: object) -> None:
            for error in limit_errors(node, limits):
                self.report_error(error)

    return DocumentLimitsRule


def _name(definition: ExecutableDefinitionNode) -> str:
    label = definition.name.value if definition.name else "anonymous"
    kind = "Fragment" if isinstance(definition, FragmentDefinitionNode) else "Operation"
    return f"{kind} {label}"


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a selection set expands to through its fragments."""

    fields: int = 0
    aliases: int = 0
    depth: int = 0


class _Measure:
    """Shapes of a document's definitions, each fragment's computed once (memoised)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.done: dict[str, _Shape] = {}
        self.in_progress: set[str] = set()

    def definition(self, node: DefinitionNode) -> _Shape:
        if isinstance(node, FragmentDefinitionNode):
            return self.fragment(node.name.value)
        assert isinstance(node, OperationDefinitionNode)
        return self.shape(node.selection_set)

    def fragment(self, name: str) -> _Shape:
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return _Shape()  # unknown fragments and cycles are validation's errors
        self.in_progress.add(name)
        shape = self.shape(definition.selection_set)
        self.in_progress.discard(name)
        self.done[name] = shape
        return shape

    def shape(self, node: SelectionSetNode | None) -> _Shape:
        fields = aliases = depth = 0
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                child = self.shape(selection.selection_set)
                fields += 1 + child.fields
                aliases += child.aliases + (selection.alias is not None)
                if selection.name.value not in INTROSPECTION_ROOTS:
                    depth = max(depth, 1 + child.depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                child = self.shape(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                child = self.fragment(selection.name.value)
            else:
                continue
            fields, aliases = fields + child.fields, aliases + child.aliases
            depth = max(depth, child.depth)
        return _Shape(fields, aliases, depth)

    def repeats(self, sets: list[tuple[SelectionSetNode, frozenset[str]]]) -> int:
        """The most fields that land on one response path, the selection sets `sets` (all
        at one path, each with the fragments spread on the way to it) merged as the
        executor merges them.

        This is what validation compares pairwise. The walk visits each expanded field
        once, so it runs only once the expanded size is known to be within the limit;
        a fragment already spread on the way is not entered again (a cycle).
        """
        groups: dict[str, list[tuple[SelectionSetNode, frozenset[str]]]] = {}
        counts: Counter[str] = Counter()
        pending = list(sets)
        while pending:
            node, seen = pending.pop()
            for selection in node.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    counts[key] += 1
                    if selection.selection_set is not None:
                        groups.setdefault(key, []).append((selection.selection_set, seen))
                elif isinstance(selection, InlineFragmentNode):
                    pending.append((selection.selection_set, seen))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in seen:
                        pending.append((fragment.selection_set, seen | {name}))
        worst = max(counts.values(), default=0)
        for children in groups.values():
            worst = max(worst, self.repeats(children))
        return worst
