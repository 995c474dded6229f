"""Campaign use cases on both databases: validation, versions, audit, and DB constraints."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ads.audit.models import AuditEntry
from ads.auth.principal import CLI_PRINCIPAL, Principal
from ads.auth.roles import Role
from ads.campaigns.models import AdGroup, Campaign
from ads.campaigns.rules import BudgetType, CampaignStatus
from ads.campaigns.service import update_ad_group, update_campaign
from ads.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories


def _audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_budget_change_is_audited_with_before_and_after(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id, budget_micros=50_000_000)
    update_campaign(
        session, CLI_PRINCIPAL, camp.id, {"budget_micros": 75_000_000}, expected_version=1
    )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == camp.id, AuditEntry.action == "update")
    ).one()
    assert entry.before == {"budget_micros": 50_000_000}
    assert entry.after == {"budget_micros": 75_000_000}
    assert entry.actor == "cli"
    assert camp.version == 2


def test_stale_version_changes_nothing(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    update_campaign(session, CLI_PRINCIPAL, camp.id, {"name": "Renamed"})
    entries = _audit_count(session)
    with pytest.raises(Conflict):
        update_campaign(session, CLI_PRINCIPAL, camp.id, {"budget_micros": 1}, expected_version=1)
    session.expire_all()
    assert session.get(Campaign, camp.id).budget_micros == 100_000_000  # type: ignore[union-attr]
    assert _audit_count(session) == entries


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"budget_micros": -5}, "NEGATIVE_MONEY"),
        ({"budget_type": BudgetType.LIFETIME}, "LIFETIME_NEEDS_END"),
        ({"status": CampaignStatus.DRAFT}, "INVALID_TRANSITION"),
        ({"name": "x" * 201}, "TOO_LONG"),
        ({"version": 9}, "NOT_CHANGEABLE"),
    ],
)
def test_invalid_updates_change_nothing(
    session: Session, changes: dict[str, object], code: str
) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    entries = _audit_count(session)
    with pytest.raises(Invalid) as error:
        update_campaign(session, CLI_PRINCIPAL, camp.id, changes)
    assert error.value.code == code
    session.rollback()
    session.expire_all()
    fresh = session.get(Campaign, camp.id)
    assert fresh is not None
    assert (fresh.version, fresh.budget_micros, fresh.status) == (
        1,
        100_000_000,
        CampaignStatus.ACTIVE,
    )
    assert _audit_count(session) == entries


def test_end_before_start_is_refused(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    with pytest.raises(Invalid, match="end time must be after"):
        update_campaign(
            session, CLI_PRINCIPAL, camp.id, {"end_at": camp.start_at - timedelta(hours=1)}
        )


def test_other_tenants_campaign_is_not_found(session: Session) -> None:
    mine = factories.advertiser(session, name="Mine")
    theirs = factories.advertiser(session, name="Theirs")
    camp = factories.campaign(session, theirs.id)
    principal = Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({mine.id}), token_id=7)
    with pytest.raises(NotFound):
        update_campaign(session, principal, camp.id, {"name": "Hijacked"})


def test_finance_cannot_change_campaigns(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    with pytest.raises(Forbidden):
        update_campaign(
            session, Principal(role=Role.FINANCE, token_id=3), camp.id, {"budget_micros": 1}
        )


@pytest.mark.parametrize(
    "assignment",
    [
        "budget_micros = -1",
        "budget_type = 'LIFETIME', end_at = NULL",
        "status = 'RUNNING'",
        "end_at = start_at",
    ],
)
def test_database_constraints_refuse_what_code_would(session: Session, assignment: str) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    statement = text(f"UPDATE campaigns SET {assignment} WHERE id = :id")
    with pytest.raises(IntegrityError):
        session.execute(statement, {"id": camp.id})
    session.rollback()


def test_database_refuses_end_before_start(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    with pytest.raises(IntegrityError):
        session.execute(
            update(Campaign)
            .where(Campaign.id == camp.id)
            .values(end_at=camp.start_at - timedelta(days=1))
        )
    session.rollback()


def test_another_tenants_ad_and_ad_group_are_not_found_by_their_own_names(
    session: Session,
) -> None:
    from ads.campaigns.service import create_ad, update_ad

    mine = factories.advertiser(session, name="Mine")
    theirs = factories.advertiser(session, name="Theirs")
    group = factories.ad_group(session, factories.campaign(session, theirs.id).id)
    their_ad = factories.ad(session, group.id)
    principal = Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({mine.id}), token_id=7)
    with pytest.raises(NotFound) as missing_ad:
        update_ad(session, principal, their_ad.id, {"name": "Hijacked"})
    assert (missing_ad.value.message, missing_ad.value.field) == ("ad not found", ["id"])
    with pytest.raises(NotFound) as missing_group:
        create_ad(
            session,
            principal,
            ad_group_id=group.id,
            name="X",
            creative_url="https://cdn.example.com/x.jpg",
            destination_url="https://example.com/x",
        )
    assert missing_group.value.field == ["adGroupId"]


def test_an_ad_group_with_malformed_targeting_regions_changes_nothing(session: Session) -> None:
    adv = factories.advertiser(session)
    camp = factories.campaign(session, adv.id)
    group = factories.ad_group(session, camp.id, targeting={"regions": ["us"]})
    entries = _audit_count(session)
    with pytest.raises(Invalid) as error:
        update_ad_group(session, CLI_PRINCIPAL, group.id, {"targeting": {"regions": "eu"}})
    assert error.value.code == "INVALID_TARGETING"
    session.rollback()
    session.expire_all()
    fresh = session.get(AdGroup, group.id)
    assert fresh is not None
    assert (fresh.version, fresh.targeting) == (1, {"regions": ["us"]})
    assert _audit_count(session) == entries
    with pytest.raises(Invalid):
        factories.ad_group(session, camp.id, name="Other", targeting={"regions": [3]})
