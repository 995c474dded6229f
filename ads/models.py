"""Every area's models, imported together so that Base.metadata is complete."""

from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.auth.models import ApiToken, token_advertisers
from ads.campaigns.models import Ad, AdGroup, Campaign

__all__ = ["Ad", "AdGroup", "Advertiser", "ApiToken", "AuditEntry", "Campaign", "token_advertisers"]
