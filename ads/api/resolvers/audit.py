"""`ChangeEvent`: audit entries as who / what / from / to / when."""

from __future__ import annotations

import json
import re
from typing import Any

from ariadne import EnumType, ObjectType
from graphql import GraphQLResolveInfo

from ads.api.ids import global_id
from ads.api.resolvers.node import bind_ids
from ads.api.resolvers.payloads import camel
from ads.audit.models import AuditEntry
from ads.audit.service import SUBJECT_TYPES

change_event = ObjectType("ChangeEvent")
action_enum = EnumType("ChangeAction", {"CREATE": "create", "UPDATE": "update"})
#: `AdGroup` is `AD_GROUP`: one enum value per audited kind, by the model's class name.
subject_enum = EnumType(
    "ChangeSubjectType",
    {re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper(): kind for kind in sorted(SUBJECT_TYPES)},
)
bind_ids("ChangeEvent", change_event)


@change_event.field("subjectType")
def resolve_subject_type(entry: AuditEntry, _info: GraphQLResolveInfo) -> str:
    return entry.entity_type


@change_event.field("subjectId")
def resolve_subject_id(entry: AuditEntry, _info: GraphQLResolveInfo) -> str:
    return global_id(entry.entity_type, entry.entity_id)


@change_event.field("changes")
def resolve_changes(entry: AuditEntry, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    before = entry.before or {}
    after = entry.after or {}
    names = list(after) + [name for name in before if name not in after]
    return [
        {"field": camel(name), "from": _text(before.get(name)), "to": _text(after.get(name))}
        for name in names
    ]


def _text(value: Any) -> str | None:
    """Audit JSON as text: micros stay exact digit strings, objects become JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, str) and value.endswith("+00:00"):
        return value.replace("+00:00", "Z")
    return str(value)


bindables = [change_event, action_enum, subject_enum]
