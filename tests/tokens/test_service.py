import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.auth.roles import Role
from ads.errors import Invalid, NotFound
from ads.tokens.models import ApiToken
from ads.tokens.service import authenticate, create_token, revoke_token
from tests import factories


def test_token_authenticates_until_revoked(session: Session) -> None:
    adv = factories.advertiser(session)
    token, clear = create_token(session, role=Role.ADVERTISER, advertiser_ids=[adv.id])
    principal = authenticate(session, clear)
    assert principal is not None
    assert principal.role is Role.ADVERTISER
    assert principal.advertiser_ids == frozenset({adv.id})
    revoke_token(session, token.id)
    assert authenticate(session, clear) is None


def test_the_secret_is_never_stored(session: Session) -> None:
    _, clear = create_token(session, role=Role.ADMIN)
    stored = session.scalars(select(ApiToken)).one()
    assert clear.rsplit("_", 1)[1] not in (stored.secret_hash, stored.key)


@pytest.mark.parametrize(
    "bearer", ["", "garbage", "ads_0123456789abcdef_short", "ads_0123456789abcdef_" + "x" * 43]
)
def test_malformed_or_unknown_tokens_do_not_authenticate(session: Session, bearer: str) -> None:
    create_token(session, role=Role.ADMIN)
    assert authenticate(session, bearer) is None


def test_a_wrong_secret_for_a_known_key_is_refused(session: Session) -> None:
    _, clear = create_token(session, role=Role.ADMIN)
    tampered = clear[:-4] + ("AAAA" if not clear.endswith("AAAA") else "BBBB")
    assert authenticate(session, tampered) is None


def test_scopes_are_checked(session: Session) -> None:
    with pytest.raises(Invalid):
        create_token(session, role=Role.ADVERTISER)
    with pytest.raises(Invalid):
        create_token(session, role=Role.FINANCE, advertiser_ids=[1])
    with pytest.raises(NotFound):
        create_token(session, role=Role.ADVERTISER, advertiser_ids=[999])
