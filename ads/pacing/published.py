"""What the ad server polls (GET /v1/pacing): every decision, or only those changed since.

A full answer carries a strong ETag (a hash of every campaign's id and version), so a
poll while nothing changed costs one narrow read and answers 304. A change cursor lets
the ad server fetch only the decisions whose published values changed since its last
poll: at a million campaigns the full list is hundreds of megabytes, one tick's changes
usually a fraction of it.

The cursor is a tick slot (microseconds since the epoch): every decision changed at a
slot after it is newer than what the caller holds. It is the oldest of the shards' last
committed slots, read before the decisions; a shard writes its decisions and its run
record in one transaction, so a decision committed after the read carries a slot later
than the cursor and comes with the next poll. Shards commit apart from each other, so a
decision may come twice (in two answers); the version says which is newer. While the run
records do not cover every shard of the current count (first ticks, a changed count) the
cursor is 0: everything decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ads.campaigns.models import Campaign
from ads.campaigns.rules import CampaignStatus
from ads.errors import Invalid
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.models import CampaignPacing, PacingShardRun
from ads.pacing.service import UNDECIDED_REASONS
from ads.time import iso_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The last instant a cursor can name (the end of year 9999), in microseconds.
LAST_CURSOR = (datetime.max.replace(tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class PublishedDecisions:
    """What GET /v1/pacing serves: a strong ETag and the compact JSON-ready campaigns."""

    etag: str
    campaigns: list[dict[str, Any]] | None  # None when the caller's ETag still holds
    #: Where the next poll for changes starts (`changed_decisions(since=cursor)`).
    cursor: int = 0


@dataclass(frozen=True)
class ChangedDecisions:
    """The decisions changed after a cursor, the undecided campaigns, the next cursor."""

    campaigns: list[dict[str, Any]]
    cursor: int


def parse_cursor(text: str) -> int:
    """A cursor as the API receives it: the digits of a non-negative integer."""
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(LAST_CURSOR))
    if not digits or int(text) > LAST_CURSOR:
        raise Invalid(
            "since is the cursor of an earlier answer (the Pacing-Cursor header, digits)",
            field="since",
            code="INVALID_CURSOR",
        )
    return int(text)


def published_decisions(
    session: Session, *, if_none_match: str | None = None
) -> PublishedDecisions:
    """Every campaign's current decision, ordered by id.

    The response is a function of the (campaign id, version) pairs only, since versions
    move exactly when something published changes (the bid cap `maxChargeMicros` and
    the headroom included) and `computedAt` is the time of that
    version; so the ETag hashes those pairs, read first in a narrow query, and the full
    rows are read only when the caller's copy is stale.
    """
    cursor = change_cursor(session)
    decided = session.execute(
        select(CampaignPacing.campaign_id, CampaignPacing.version).order_by(
            CampaignPacing.campaign_id
        )
    ).all()
    # Campaigns that can deliver but no tick has decided yet are published too (version 0,
    # NOT_YET_COMPUTED, throttle 0): from the moment one is created or activated, the ad
    # server sees it and why it must not serve it yet.
    undecided = list(session.scalars(_UNDECIDED))
    versions = sorted([*decided, *((cid, 0) for cid in undecided)])
    etag = _etag(versions)
    if if_none_match is not None and etag in _etags(if_none_match):
        return PublishedDecisions(etag, None, cursor)
    rows = session.execute(_DECISIONS).all()
    campaigns = _with_undecided([_entry(row) for row in rows], undecided)
    # A tick may have committed between the reads: tag the body actually sent.
    etag = _etag((c["id"], c["version"]) for c in campaigns)
    return PublishedDecisions(etag, campaigns, cursor)


def changed_decisions(session: Session, *, since: int) -> ChangedDecisions:
    """The decisions whose published values changed after cursor `since`, by id, with
    every campaign still waiting for its first decision, and the cursor to poll next."""
    cursor = change_cursor(session)  # first: what commits after it comes next time
    changed_after = EPOCH + timedelta(microseconds=since)
    rows = session.execute(_DECISIONS.where(CampaignPacing.computed_at > changed_after)).all()
    undecided = list(session.scalars(_UNDECIDED))
    return ChangedDecisions(_with_undecided([_entry(row) for row in rows], undecided), cursor)


def change_cursor(session: Session) -> int:
    """The oldest of the shards' last committed slots, if every shard has run; else 0."""
    runs = session.execute(
        select(
            PacingShardRun.shard,
            PacingShardRun.shards,
            PacingShardRun.tick_at,
            PacingShardRun.finished_at,
        )
    ).all()
    if not runs:
        return 0
    shards = max(runs, key=lambda run: run.finished_at).shards  # the count now in force
    if {run.shard for run in runs} != set(range(shards)):
        return 0
    oldest = min(run.tick_at for run in runs)
    return (oldest - EPOCH) // timedelta(microseconds=1)


_DECISIONS = select(
    CampaignPacing.campaign_id,
    CampaignPacing.version,
    CampaignPacing.throttle,
    CampaignPacing.status,
    CampaignPacing.computed_at,
    CampaignPacing.ad_group_throttles,
    CampaignPacing.max_charge_micros,
    CampaignPacing.headroom_micros,
    CampaignPacing.headroom_until,
).order_by(CampaignPacing.campaign_id)


def _entry(row: Any) -> dict[str, Any]:
    cid, version, throttle, status, computed_at, groups, max_charge, room, until = row
    return {
        "id": cid,
        "throttle": throttle,
        "status": status.value,
        "version": version,
        "computedAt": iso_utc(computed_at),
        "adGroups": groups,
        "maxChargeMicros": None if max_charge is None else str(max_charge),
        "headroomMicros": None if room is None else str(room),
        "headroomUntil": None if until is None else iso_utc(until),
    }


def _with_undecided(
    campaigns: Sequence[dict[str, Any]], undecided: Sequence[int]
) -> list[dict[str, Any]]:
    """The decided entries and the undecided campaigns not among them, ordered by id."""
    known = {c["id"] for c in campaigns}
    waiting: list[dict[str, Any]] = [
        {
            "id": cid,
            "throttle": 0.0,
            "status": PacingStatus.NOT_YET_COMPUTED.value,
            "version": 0,
            "computedAt": None,
            "adGroups": {},
            "maxChargeMicros": "0",
            "headroomMicros": "0",
            "headroomUntil": None,
            "reason": UNDECIDED_REASONS[CampaignStatus.ACTIVE],
        }
        for cid in undecided
        if cid not in known
    ]
    return sorted([*campaigns, *waiting], key=lambda c: c["id"])


_UNDECIDED = (
    select(Campaign.id)
    .where(
        Campaign.status == CampaignStatus.ACTIVE,
        ~exists().where(CampaignPacing.campaign_id == Campaign.id),
    )
    .order_by(Campaign.id)
)


def _etag(versions: Any) -> str:
    digest = hashlib.sha256()
    for cid, version in versions:
        digest.update(b"%d:%d;" % (cid, version))
    return f'"{digest.hexdigest()[:32]}"'


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
