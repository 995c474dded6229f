"""The fields an operation selects, with their schema definitions (fragments merged in).

The route declaration walks them to find the resource a route answers, and the OpenAPI
document to describe exactly the JSON a route returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    TypeMetaFieldDef,
)

Parent = GraphQLObjectType | GraphQLInterfaceType


@dataclass(frozen=True, slots=True)
class Selected:
    """One field of a selection set, under its response key."""

    key: str
    node: FieldNode
    field: GraphQLField
    #: The type it was selected on: a fragment's type condition under an interface.
    on: Parent


def selected(
    selection_set: SelectionSetNode | None,
    parent: Parent,
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
) -> list[Selected]:
    """The fields of a selection set in order, one per response key (the first wins)."""
    found: dict[str, Selected] = {}
    _collect(selection_set, parent, schema, fragments, found)
    return list(found.values())


def _collect(
    selection_set: SelectionSetNode | None,
    parent: Parent,
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    found: dict[str, Selected],
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            name = selection.name.value
            field = TypeMetaFieldDef if name == "__typename" else parent.fields[name]
            found.setdefault(key, Selected(key, selection, field, parent))
            continue
        condition: Parent = parent
        if isinstance(selection, InlineFragmentNode):
            inner = selection.selection_set
            if selection.type_condition is not None:
                condition = _named(schema, selection.type_condition.name.value)
        else:
            assert isinstance(selection, FragmentSpreadNode)
            fragment = fragments[selection.name.value]
            inner = fragment.selection_set
            condition = _named(schema, fragment.type_condition.name.value)
        _collect(inner, condition, schema, fragments, found)


def _named(schema: GraphQLSchema, name: str) -> Parent:
    found = schema.get_type(name)
    assert isinstance(found, GraphQLObjectType | GraphQLInterfaceType), name
    return found


def fragments_of(definitions: object) -> dict[str, FragmentDefinitionNode]:
    """The fragment definitions of a document, by name."""
    assert isinstance(definitions, tuple | list)
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
