"""Demo data that looks real: advertisers in several currencies and timezones, and the
last few days of their delivery (so billing has days to close and invoices to show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.service import create_advertiser
from ads.auth.principal import CLI_PRINCIPAL
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.rules import BillingEvent, BudgetType, CampaignStatus, Objective, PacingMode
from ads.campaigns.service import create_ad, create_ad_group, create_campaign
from ads.ingestion.service import record_events
from ads.time import day_bounds, local_day, utcnow, zone


@dataclass(frozen=True)
class DemoAdvertiser:
    name: str
    currency: str
    timezone: str
    spend_limit_units: int | None
    #: (name, objective, budget type, budget in currency units, flight days or None, mode)
    campaigns: tuple[tuple[str, Objective, BudgetType, int, int | None, PacingMode], ...]


DEMO = (
    DemoAdvertiser(
        "Northwind Outdoor",
        "USD",
        "America/New_York",
        250_000,
        (
            (
                "Winter Jackets - Search Retargeting",
                Objective.CONVERSIONS,
                BudgetType.DAILY,
                1_500,
                None,
                PacingMode.STANDARD,
            ),
            (
                "Holiday Gift Guide",
                Objective.TRAFFIC,
                BudgetType.LIFETIME,
                42_000,
                30,
                PacingMode.STANDARD,
            ),
            (
                "Brand Video Q4",
                Objective.AWARENESS,
                BudgetType.DAILY,
                800,
                None,
                PacingMode.ACCELERATED,
            ),
        ),
    ),
    DemoAdvertiser(
        "Sakura Cosmetics",
        "JPY",
        "Asia/Tokyo",
        None,
        (
            (
                "Spring Collection Launch",
                Objective.AWARENESS,
                BudgetType.LIFETIME,
                12_000_000,
                45,
                PacingMode.STANDARD,
            ),
            (
                "Skincare Always-On",
                Objective.CONVERSIONS,
                BudgetType.DAILY,
                150_000,
                None,
                PacingMode.STANDARD,
            ),
        ),
    ),
    DemoAdvertiser(
        "Fjord Travel",
        "EUR",
        "Europe/Berlin",
        120_000,
        (
            (
                "Northern Lights Tours",
                Objective.TRAFFIC,
                BudgetType.DAILY,
                950,
                None,
                PacingMode.STANDARD,
            ),
            (
                "Summer Early Booking",
                Objective.CONVERSIONS,
                BudgetType.LIFETIME,
                25_000,
                60,
                PacingMode.STANDARD,
            ),
        ),
    ),
    DemoAdvertiser(
        "Gulf Motors",
        "KWD",
        "Asia/Kuwait",
        None,
        (
            (
                "New SUV Test Drives",
                Objective.CONVERSIONS,
                BudgetType.DAILY,
                300,
                None,
                PacingMode.STANDARD,
            ),
            (
                "Service Center Offers",
                Objective.ENGAGEMENT,
                BudgetType.LIFETIME,
                4_500,
                14,
                PacingMode.ACCELERATED,
            ),
        ),
    ),
)

_AD_GROUPS = (
    # (suffix, billing event, bid in thousandths of the daily budget, cap share or None)
    ("Prospecting - Broad", BillingEvent.IMPRESSION, 4, None),
    ("Retargeting - Site Visitors", BillingEvent.CLICK, 2, 40),
)


def seed_demo(session: Session) -> list[Advertiser]:
    """Create the demo advertisers unless they exist; return the ones created."""
    existing = set(session.scalars(select(Advertiser.name)))
    created = []
    for spec in DEMO:
        if spec.name in existing:
            continue
        advertiser = _seed_advertiser(session, spec)
        _seed_delivery(session, advertiser)
        created.append(advertiser)
    return created


def _seed_advertiser(session: Session, spec: DemoAdvertiser) -> Advertiser:
    unit = 1_000_000
    limit = spec.spend_limit_units * unit if spec.spend_limit_units is not None else None
    advertiser = create_advertiser(
        session,
        CLI_PRINCIPAL,
        name=spec.name,
        currency=spec.currency,
        timezone=spec.timezone,
        spend_limit_micros=limit,
    )
    tz = zone(spec.timezone)
    today_start, _ = day_bounds(local_day(utcnow(), tz), tz)
    for index, (name, objective, budget_type, amount, days, mode) in enumerate(spec.campaigns):
        start = today_start - timedelta(days=3 + index)
        end = start + timedelta(days=days) if days is not None else None
        budget = amount * unit
        campaign = create_campaign(
            session,
            CLI_PRINCIPAL,
            advertiser_id=advertiser.id,
            name=name,
            objective=objective,
            start_at=start,
            end_at=end,
            budget_type=budget_type,
            budget_micros=budget,
            pacing_mode=mode,
            status=CampaignStatus.ACTIVE,
        )
        daily = budget // days if days else budget
        for suffix, event, bid_permille, cap_percent in _AD_GROUPS:
            group = create_ad_group(
                session,
                CLI_PRINCIPAL,
                campaign_id=campaign.id,
                name=f"{name} / {suffix}",
                bid_micros=max(daily * bid_permille // 1000, 1000),
                billing_event=event,
                budget_cap_micros=daily * cap_percent // 100 if cap_percent else None,
                targeting={
                    "geo": ["US", "CA"] if spec.currency == "USD" else [],
                    "devices": ["mobile", "desktop"],
                    "ageRange": [25, 54],
                },
            )
            slug = name.lower().replace(" ", "-")
            for variant in ("A", "B"):
                create_ad(
                    session,
                    CLI_PRINCIPAL,
                    ad_group_id=group.id,
                    name=f"{suffix} - variant {variant}",
                    creative_url=f"https://cdn.example.com/creatives/{slug}-{variant}.jpg",
                    destination_url=f"https://www.example.com/{slug}?utm_source=ads",
                )
    return advertiser


#: Local days of delivery recorded before today, and the share of each day's budget spent.
HISTORY_DAYS = 3
HISTORY_SHARE_PERCENT = 30
_EVENTS_PER_DAY = 12


def _seed_delivery(session: Session, advertiser: Advertiser) -> None:
    """Impressions of the first ad of each campaign on the last few local days, through
    ingestion as the ad server would have sent them (each batch received minutes after)."""
    tz = zone(advertiser.timezone)
    today = local_day(utcnow(), tz)
    rows = session.execute(
        select(Campaign.id, Campaign.budget_micros, Campaign.start_at, Campaign.end_at, Ad.id)
        .join(AdGroup, AdGroup.campaign_id == Campaign.id)
        .join(Ad, Ad.ad_group_id == AdGroup.id)
        .where(Campaign.advertiser_id == advertiser.id)
        .order_by(Campaign.id, Ad.id)
    ).all()
    first_ads = {row[0]: row for row in reversed(rows)}
    for back in range(HISTORY_DAYS, 0, -1):
        start, end = day_bounds(today - timedelta(days=back), tz)
        step = (end - start) / (_EVENTS_PER_DAY + 1)
        events = []
        for _campaign, budget, starts, ends, ad_id in first_ads.values():
            flight_days = ((ends - starts).days or 1) if ends is not None else 1
            cost = budget // flight_days * HISTORY_SHARE_PERCENT // 100 // _EVENTS_PER_DAY
            events += [
                {
                    "id": f"demo-{ad_id}-{back}-{n}",
                    "type": "IMPRESSION",
                    "adId": ad_id,
                    "costMicros": cost,
                    "occurredAt": (start + step * (n + 1)).isoformat(),
                }
                for n in range(_EVENTS_PER_DAY)
                if starts <= start + step * (n + 1)
            ]
        record_events(session, events, now=end + timedelta(minutes=2))
