"""Every area's models, imported together so that Base.metadata is complete."""

from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.billing.models import (
    BillingWatermark,
    DayClose,
    HourlyDelivery,
    Invoice,
    InvoiceLine,
    LedgerEntry,
)
from ads.campaigns.models import Ad, AdGroup, Campaign
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

__all__ = [
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
    "HourlyDelivery",
    "Invoice",
    "InvoiceLine",
    "LedgerEntry",
    "PacingExperiment",
    "PacingExperimentDay",
    "PacingShardRun",
    "token_advertisers",
]
