from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.rules import BillingEvent, BudgetType
from ads.demo import seed_demo


def test_demo_data_covers_currencies_timezones_budgets_and_bids(session: Session) -> None:
    advertisers = seed_demo(session)
    assert len(advertisers) >= 3
    assert "JPY" in {a.currency for a in advertisers}
    assert "America/New_York" in {a.timezone for a in advertisers}
    for advertiser in advertisers:
        types = set(
            session.scalars(
                select(Campaign.budget_type).where(Campaign.advertiser_id == advertiser.id)
            )
        )
        assert types == {BudgetType.DAILY, BudgetType.LIFETIME}
    assert set(session.scalars(select(AdGroup.billing_event))) == set(BillingEvent)
    assert session.scalar(select(func.count()).select_from(Ad)) > 0
    assert seed_demo(session) == []
