"""Finance exports: the `BillingExport` node, `billingExport(id:)` and `createBillingExport`."""

from __future__ import annotations

from datetime import date
from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from ads.api.money import Money
from ads.api.resolvers.node import bind_ids, load_node
from ads.api.resolvers.payloads import mutate, node_pk
from ads.exports.models import BillingExport
from ads.exports.rules import ExportFormat, ExportStatus
from ads.exports.service import create_export

query = QueryType()
mutation = MutationType()
billing_export = ObjectType("BillingExport")
bind_ids("BillingExport", billing_export)
enums = [
    EnumType("BillingExportStatus", ExportStatus),
    EnumType("BillingExportFormat", ExportFormat),
]


@billing_export.field("from")
def resolve_export_from(obj: BillingExport, _info: GraphQLResolveInfo) -> date:
    return obj.date_from


@billing_export.field("to")
def resolve_export_to(obj: BillingExport, _info: GraphQLResolveInfo) -> date:
    return obj.date_to


@billing_export.field("totals")
def resolve_export_totals(obj: BillingExport, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [
        {
            "currency": currency,
            "charges": Money(t["charges_micros"], currency),
            # Exports written before the column's rename total it under its old name.
            "overdelivery_credits": Money(
                t.get("overdelivery_not_charged_micros", t.get("overdelivery_credits_micros", 0)),
                currency,
            ),
            "adjustments": Money(t["adjustments_micros"], currency),
        }
        for currency, t in sorted((obj.totals or {}).items())
    ]


# convert_names_case would look for `sha_256`.
billing_export.set_field("sha256", lambda obj, _info: obj.sha256)


@billing_export.field("downloadPath")
def resolve_download(obj: BillingExport, _info: GraphQLResolveInfo) -> str | None:
    return f"/v1/exports/{obj.id}" if obj.status is ExportStatus.SUCCEEDED else None


@billing_export.field("supersedes")
def resolve_supersedes(obj: BillingExport, info: GraphQLResolveInfo) -> Any:
    pk = obj.supersedes_id
    return None if pk is None else info.context.loaders.get(BillingExport, pk)


@billing_export.field("supersededBy")
def resolve_superseded_by(obj: BillingExport, info: GraphQLResolveInfo) -> Any:
    pk = obj.superseded_by_id
    return None if pk is None else info.context.loaders.get(BillingExport, pk)


@query.field("billingExport")
def resolve_billing_export(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    return load_node(info, id, "BillingExport")


@mutation.field("createBillingExport")
async def resolve_create_export(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    viewer, settings = info.context.viewer, info.context.settings

    def use_case() -> Any:
        ids = input.get("advertiser_ids")
        pks = (
            None
            if ids is None
            else [
                node_pk({"advertiser_ids": value}, "advertiser_ids", "Advertiser") for value in ids
            ]
        )
        return lambda s: create_export(
            s,
            viewer,
            date_from=input["from"] if "from" in input else input["from_"],
            date_to=input["to"],
            granularity=input["granularity"],
            fmt=input["format"],
            advertiser_ids=pks,
            allow_open_period=bool(input.get("allow_open_period")),
            allowance_seconds=settings.billing_late_allowance_seconds,
            settle_seconds=settings.billing_settle_seconds,
        )

    payload = await mutate(info, input, "billing_export", use_case)
    job = payload["billing_export"]
    if job is not None:
        info.context.enqueue_export(job.id)
    return payload


bindables = [query, mutation, billing_export, *enums]
