"""Campaign, ad group and ad use cases: create, read, update, with audit and versioning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.rules import AdvertiserStatus, validate_name
from ads.audit.writes import add_created, apply_update, commit
from ads.auth import policy
from ads.auth.principal import Principal
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.rules import (
    BillingEvent,
    BudgetType,
    CampaignStatus,
    DeliveryStatus,
    Objective,
    PacingMode,
    check_campaign_transition,
    check_delivery_transition,
    validate_budget,
    validate_money,
    validate_schedule,
    validate_targeting_regions,
    validate_url,
)
from ads.db import contains
from ads.errors import Invalid, NotFound
from ads.text import check_storable
from ads.time import as_utc

CAMPAIGN_FIELDS = (
    "name",
    "objective",
    "status",
    "start_at",
    "end_at",
    "budget_type",
    "budget_micros",
    "pacing_mode",
)
AD_GROUP_FIELDS = (
    "name",
    "status",
    "bid_micros",
    "billing_event",
    "budget_cap_micros",
    "targeting",
)
AD_FIELDS = ("name", "creative_url", "destination_url", "status")


def _validate_campaign(state: Mapping[str, Any]) -> None:
    validate_name(state["name"])
    validate_schedule(state["start_at"], state["end_at"])
    validate_budget(BudgetType(state["budget_type"]), state["budget_micros"], state["end_at"])


def _validate_ad_group(state: Mapping[str, Any]) -> None:
    validate_name(state["name"])
    validate_money(state["bid_micros"], field="bidMicros", allow_zero=False)
    validate_money(state["budget_cap_micros"], field="budgetCapMicros", allow_zero=False)
    if not isinstance(state["targeting"], dict):
        raise Invalid(
            "targeting must be a JSON object", field="targeting", code="INVALID_TARGETING"
        )
    check_storable(state["targeting"], field="targeting")
    validate_targeting_regions(state["targeting"])


def _validate_ad(state: Mapping[str, Any]) -> None:
    validate_name(state["name"])
    validate_url(state["creative_url"], field="creativeUrl")
    validate_url(state["destination_url"], field="destinationUrl")


@dataclass(frozen=True, slots=True)
class _DeliveryKind:
    """What differs between updating an ad group and an ad: names, fields, validation."""

    entity_type: str
    what: str
    fields: frozenset[str]
    check: Callable[[Mapping[str, Any]], None]


_AD_GROUP = _DeliveryKind("AdGroup", "ad group", frozenset(AD_GROUP_FIELDS), _validate_ad_group)
_AD = _DeliveryKind("Ad", "ad", frozenset(AD_FIELDS), _validate_ad)


def _writable_advertiser(session: Session, principal: Principal, advertiser_id: int) -> Advertiser:
    advertiser = session.get(Advertiser, advertiser_id)
    if advertiser is None or not policy.can_read_advertiser(principal, advertiser_id):
        raise NotFound("advertiser not found", field="advertiserId")
    policy.require_manage_advertiser(principal, advertiser_id, what="campaign")
    if advertiser.status is AdvertiserStatus.ARCHIVED:
        raise Invalid("the advertiser is archived", field="advertiserId", code="ARCHIVED")
    return advertiser


def has_campaigns(session: Session, advertiser_id: int) -> bool:
    """Whether the advertiser has any campaign: its currency is then locked."""
    query = select(Campaign.id).where(Campaign.advertiser_id == advertiser_id).limit(1)
    return session.scalar(query) is not None


def create_campaign(
    session: Session,
    principal: Principal,
    *,
    advertiser_id: int,
    name: str,
    objective: Objective,
    start_at: datetime,
    end_at: datetime | None,
    budget_type: BudgetType,
    budget_micros: int,
    pacing_mode: PacingMode = PacingMode.STANDARD,
    status: CampaignStatus = CampaignStatus.DRAFT,
) -> Campaign:
    _writable_advertiser(session, principal, advertiser_id)
    start_at = as_utc(start_at, field="startAt")
    end_at = as_utc(end_at, field="endAt") if end_at is not None else None
    state = {
        "name": name,
        "start_at": start_at,
        "end_at": end_at,
        "budget_type": budget_type,
        "budget_micros": budget_micros,
    }
    _validate_campaign(state)
    if status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED):
        raise Invalid(
            "a new campaign starts as DRAFT, ACTIVE or PAUSED",
            field="status",
            code="INVALID_TRANSITION",
        )
    campaign = Campaign(
        advertiser_id=advertiser_id,
        name=name.strip(),
        objective=objective,
        start_at=start_at,
        end_at=end_at,
        budget_type=budget_type,
        budget_micros=budget_micros,
        pacing_mode=pacing_mode,
        status=status,
    )
    add_created(session, principal, campaign, advertiser_id=advertiser_id, fields=CAMPAIGN_FIELDS)
    commit(session)
    return campaign


def get_campaign(session: Session, principal: Principal, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not policy.can_read_advertiser(principal, campaign.advertiser_id):
        raise NotFound("campaign not found", field="id")
    return campaign


def update_campaign(
    session: Session,
    principal: Principal,
    campaign_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Campaign:
    campaign = get_campaign(session, principal, campaign_id)
    policy.require_manage_advertiser(principal, campaign.advertiser_id, what="campaign")
    changes = dict(changes)
    for key, label in (("start_at", "startAt"), ("end_at", "endAt")):
        if changes.get(key) is not None:
            changes[key] = as_utc(changes[key], field=label)
    current = campaign.status

    def validate(state: Mapping[str, Any]) -> None:
        if current is CampaignStatus.ARCHIVED:
            raise Invalid("an archived campaign cannot change", field="status", code="ARCHIVED")
        check_campaign_transition(current, CampaignStatus(state["status"]))
        _validate_campaign(state)

    apply_update(
        session,
        principal,
        campaign,
        entity_type="Campaign",
        advertiser_id=campaign.advertiser_id,
        changes=changes,
        allowed=frozenset(CAMPAIGN_FIELDS),
        expected_version=expected_version,
        validate=validate,
    )
    return campaign


def create_ad_group(
    session: Session,
    principal: Principal,
    *,
    campaign_id: int,
    name: str,
    bid_micros: int,
    billing_event: BillingEvent,
    budget_cap_micros: int | None = None,
    targeting: dict[str, Any] | None = None,
    status: DeliveryStatus = DeliveryStatus.ACTIVE,
) -> AdGroup:
    campaign = _campaign_for_write(session, principal, campaign_id, field="campaignId")
    state = {
        "name": name,
        "bid_micros": bid_micros,
        "budget_cap_micros": budget_cap_micros,
        "targeting": targeting if targeting is not None else {},
    }
    _validate_ad_group(state)
    group = AdGroup(
        campaign_id=campaign.id,
        name=name.strip(),
        bid_micros=bid_micros,
        billing_event=billing_event,
        budget_cap_micros=budget_cap_micros,
        targeting=state["targeting"],
        status=status,
    )
    add_created(
        session, principal, group, advertiser_id=campaign.advertiser_id, fields=AD_GROUP_FIELDS
    )
    commit(session)
    return group


def get_ad_group(
    session: Session, principal: Principal, ad_group_id: int, *, field: str = "id"
) -> tuple[AdGroup, Campaign]:
    group = session.get(AdGroup, ad_group_id)
    campaign = session.get(Campaign, group.campaign_id) if group is not None else None
    if (
        group is None
        or campaign is None
        or not policy.can_read_advertiser(principal, campaign.advertiser_id)
    ):
        raise NotFound("ad group not found", field=field)
    return group, campaign


def update_ad_group(
    session: Session,
    principal: Principal,
    ad_group_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> AdGroup:
    group, campaign = get_ad_group(session, principal, ad_group_id)
    _update_delivery(session, principal, _AD_GROUP, group, campaign, changes, expected_version)
    return group


def create_ad(
    session: Session,
    principal: Principal,
    *,
    ad_group_id: int,
    name: str,
    creative_url: str,
    destination_url: str,
    status: DeliveryStatus = DeliveryStatus.ACTIVE,
) -> Ad:
    group, campaign = get_ad_group(session, principal, ad_group_id, field="adGroupId")
    policy.require_manage_advertiser(principal, campaign.advertiser_id, what="ad")
    _validate_ad({"name": name, "creative_url": creative_url, "destination_url": destination_url})
    ad = Ad(
        ad_group_id=group.id,
        name=name.strip(),
        creative_url=creative_url.strip(),
        destination_url=destination_url.strip(),
        status=status,
    )
    add_created(session, principal, ad, advertiser_id=campaign.advertiser_id, fields=AD_FIELDS)
    commit(session)
    return ad


def get_ad(session: Session, principal: Principal, ad_id: int) -> tuple[Ad, Campaign]:
    ad = session.get(Ad, ad_id)
    group = session.get(AdGroup, ad.ad_group_id) if ad is not None else None
    campaign = session.get(Campaign, group.campaign_id) if group is not None else None
    if (
        ad is None
        or campaign is None
        or not policy.can_read_advertiser(principal, campaign.advertiser_id)
    ):
        raise NotFound("ad not found", field="id")
    return ad, campaign


def update_ad(
    session: Session,
    principal: Principal,
    ad_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Ad:
    ad, campaign = get_ad(session, principal, ad_id)
    _update_delivery(session, principal, _AD, ad, campaign, changes, expected_version)
    return ad


def _update_delivery(
    session: Session,
    principal: Principal,
    kind: _DeliveryKind,
    entity: AdGroup | Ad,
    campaign: Campaign,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> None:
    """An ad group's or an ad's update: the same rights, status transitions and audit."""
    policy.require_manage_advertiser(principal, campaign.advertiser_id, what=kind.what)
    current = entity.status

    def validate(state: Mapping[str, Any]) -> None:
        check_delivery_transition(current, DeliveryStatus(state["status"]))
        kind.check(state)

    apply_update(
        session,
        principal,
        entity,
        entity_type=kind.entity_type,
        advertiser_id=campaign.advertiser_id,
        changes=changes,
        allowed=kind.fields,
        expected_version=expected_version,
        validate=validate,
    )


def _campaign_for_write(
    session: Session, principal: Principal, campaign_id: int, *, field: str
) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not policy.can_read_advertiser(principal, campaign.advertiser_id):
        raise NotFound("campaign not found", field=field)
    policy.require_manage_advertiser(principal, campaign.advertiser_id, what="ad group")
    if campaign.status is CampaignStatus.ARCHIVED:
        raise Invalid("the campaign is archived", field=field, code="ARCHIVED")
    return campaign


def campaigns_query(
    principal: Principal,
    *,
    advertiser_id: int | None = None,
    status: CampaignStatus | None = None,
    name_contains: str | None = None,
    budget_type: BudgetType | None = None,
) -> Select[Campaign]:
    """Campaigns the caller may see, filtered; the caller adds ordering and paging."""
    query = policy.scoped(select(Campaign), principal, Campaign.advertiser_id)
    if advertiser_id is not None:
        query = query.where(Campaign.advertiser_id == advertiser_id)
    if status is not None:
        query = query.where(Campaign.status == status)
    if budget_type is not None:
        query = query.where(Campaign.budget_type == budget_type)
    if name_contains:
        query = query.where(contains(Campaign.name, name_contains))
    return query


def ad_groups_query(
    principal: Principal,
    *,
    status: DeliveryStatus | None = None,
    name_contains: str | None = None,
) -> Select[AdGroup]:
    """Ad groups the caller may see, filtered; the caller adds ordering and paging."""
    query = policy.scoped(
        select(AdGroup),
        principal,
        Campaign.advertiser_id,
        via=(AdGroup.campaign_id, select(Campaign.id)),
    )
    if status is not None:
        query = query.where(AdGroup.status == status)
    if name_contains:
        query = query.where(contains(AdGroup.name, name_contains))
    return query


def ads_query(
    principal: Principal,
    *,
    status: DeliveryStatus | None = None,
    name_contains: str | None = None,
) -> Select[Ad]:
    """Ads the caller may see, filtered; the caller adds ordering and paging."""
    query = policy.scoped(
        select(Ad),
        principal,
        Campaign.advertiser_id,
        via=(Ad.ad_group_id, select(AdGroup.id).join(Campaign, Campaign.id == AdGroup.campaign_id)),
    )
    if status is not None:
        query = query.where(Ad.status == status)
    if name_contains:
        query = query.where(contains(Ad.name, name_contains))
    return query
