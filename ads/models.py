"""Every area's models, imported together: `METADATA` is the whole schema (Alembic, tests)."""

from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.billing.models import (
    BillingWatermark,
    DayClose,
    HourlyDelivery,
    HourSeal,
    Invoice,
    InvoiceLine,
    LedgerEntry,
)
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.db import Base
from ads.exports.models import BillingExport
from ads.ingestion.models import (
    AdGroupDaySpend,
    CampaignDaySpend,
    CampaignHourTraffic,
    DeliveryEvent,
)
from ads.pacing.experiments.models import PacingExperiment, PacingExperimentDay
from ads.pacing.models import (
    AdGroupPacing,
    CampaignHourExposure,
    CampaignPacing,
    PacingShardRun,
)
from ads.tokens.models import ApiToken, token_advertisers

METADATA = Base.metadata

__all__ = [
    "METADATA",
    "Ad",
    "AdGroup",
    "AdGroupDaySpend",
    "AdGroupPacing",
    "Advertiser",
    "ApiToken",
    "AuditEntry",
    "BillingExport",
    "BillingWatermark",
    "Campaign",
    "CampaignDaySpend",
    "CampaignHourExposure",
    "CampaignHourTraffic",
    "CampaignPacing",
    "DayClose",
    "DeliveryEvent",
    "HourSeal",
    "HourlyDelivery",
    "Invoice",
    "InvoiceLine",
    "LedgerEntry",
    "PacingExperiment",
    "PacingExperimentDay",
    "PacingShardRun",
    "token_advertisers",
]
