"""The roles a token can carry."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"  # everything
    ADVERTISER = "ADVERTISER"  # only the advertisers the token is scoped to
    FINANCE = "FINANCE"  # reads every advertiser and its billing; changes no campaign
    SERVICE = "SERVICE"  # the ad server: events in, pacing out; no GraphQL admin access
