import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.rules import AdvertiserStatus
from ads.accounts.service import create_advertiser, update_advertiser
from ads.auth.principal import CLI_PRINCIPAL, Principal
from ads.auth.roles import Role
from ads.campaigns.service import has_campaigns
from ads.errors import Forbidden, Invalid
from tests import factories


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"currency": "ABC"}, "INVALID_CURRENCY"),
        ({"timezone": "Europe/Atlantis"}, "INVALID_TIMEZONE"),
        ({"name": "  "}, "BLANK"),
        ({"spend_limit_micros": -1}, "NEGATIVE_MONEY"),
    ],
)
def test_invalid_advertisers_are_refused(
    session: Session, fields: dict[str, object], code: str
) -> None:
    values = {"name": "Acme", "currency": "USD", "timezone": "UTC"} | fields
    with pytest.raises(Invalid) as error:
        create_advertiser(session, CLI_PRINCIPAL, **values)  # type: ignore[arg-type]
    assert error.value.code == code
    assert session.scalar(select(func.count()).select_from(Advertiser)) == 0


def test_only_admin_creates_advertisers(session: Session) -> None:
    with pytest.raises(Forbidden):
        create_advertiser(
            session,
            Principal(role=Role.FINANCE, token_id=1),
            name="X",
            currency="USD",
            timezone="UTC",
        )


def test_advertiser_tokens_cannot_change_their_own_status(session: Session) -> None:
    adv = factories.advertiser(session)
    principal = Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({adv.id}), token_id=2)
    update_advertiser(
        session, principal, adv.id, {"name": "Acme Inc"}, currency_locked=has_campaigns
    )
    with pytest.raises(Forbidden):
        update_advertiser(
            session,
            principal,
            adv.id,
            {"status": AdvertiserStatus.SUSPENDED},
            currency_locked=has_campaigns,
        )


def test_currency_is_locked_once_campaigns_exist(session: Session) -> None:
    adv = factories.advertiser(session)
    factories.campaign(session, adv.id)
    with pytest.raises(Invalid, match="currency"):
        update_advertiser(
            session, CLI_PRINCIPAL, adv.id, {"currency": "EUR"}, currency_locked=has_campaigns
        )
