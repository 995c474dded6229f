"""A validation rule limiting query depth and aliases (graphql-core has neither).

Depth counts nested fields through fragments; introspection fields (`__schema`,
`__type`) are not counted, so GraphiQL's deep introspection query still works when
introspection is allowed. Aliases are capped because each one re-runs a field: a
shallow query with 10,000 aliases is as costly as a deep one.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

MAX_ALIASES = 50


def depth_limit_rule(max_depth: int, max_aliases: int = MAX_ALIASES) -> type[ValidationRule]:
    class DepthLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            counter = _Walk(fragments)
            depth = counter.depth(node.selection_set, 0, frozenset())
            name = node.name.value if node.name else "anonymous"
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"Operation {name} is {depth} levels deep; the limit is {max_depth}.",
                        node,
                        extensions={"code": "MAX_DEPTH_EXCEEDED"},
                    )
                )
            if counter.aliases > max_aliases:
                self.report_error(
                    GraphQLError(
                        f"Operation {name} uses {counter.aliases} aliases; "
                        f"the limit is {max_aliases}.",
                        node,
                        extensions={"code": "MAX_ALIASES_EXCEEDED"},
                    )
                )

    return DepthLimit


class _Walk:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.aliases = 0

    def depth(self, selections: SelectionSetNode | None, level: int, seen: frozenset[str]) -> int:
        if selections is None:
            return level
        deepest = level
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                if selection.alias is not None:
                    self.aliases += 1
                deepest = max(deepest, self.depth(selection.selection_set, level + 1, seen))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set, level, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:  # cycles are another rule's error
                    deepest = max(deepest, self.depth(fragment.selection_set, level, seen | {name}))
        return deepest
