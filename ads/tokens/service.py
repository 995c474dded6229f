"""Token use cases: create (shown once), revoke, authenticate a presented bearer token."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.auth.principal import Principal
from ads.auth.roles import Role
from ads.errors import Invalid, NotFound
from ads.text import check_storable
from ads.time import utcnow
from ads.tokens import rules
from ads.tokens.models import ApiToken

#: last_used_at is refreshed at most this often, so reads do not become writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def create_token(
    session: Session, *, role: Role, advertiser_ids: Sequence[int] = (), name: str = ""
) -> tuple[ApiToken, str]:
    """Create a token; return it with the clear-text token, which is never stored."""
    ids = sorted(set(advertiser_ids))
    if role is Role.ADVERTISER and not ids:
        raise Invalid(
            "an ADVERTISER token needs at least one --advertiser",
            field="advertiser",
            code="SCOPE_REQUIRED",
        )
    if role is not Role.ADVERTISER and ids:
        raise Invalid(
            f"a {role} token is not scoped to advertisers",
            field="advertiser",
            code="SCOPE_NOT_ALLOWED",
        )
    advertisers = list(session.scalars(select(Advertiser).where(Advertiser.id.in_(ids))))
    missing = set(ids) - {a.id for a in advertisers}
    if missing:
        raise NotFound(
            f"no advertiser with id {', '.join(map(str, sorted(missing)))}", field="advertiser"
        )
    check_storable(name, field="name")
    clear, parts = rules.generate()
    token = ApiToken(
        name=name,
        key=parts.key,
        secret_hash=rules.hash_secret(parts.secret),
        role=role,
        advertisers=advertisers,
    )
    session.add(token)
    session.commit()
    return token, clear


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}", field="id")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.commit()
    return token


def authenticate(session: Session, bearer: str) -> Principal | None:
    """The principal of a valid, unrevoked token; None for anything else."""
    parts = rules.parse(bearer)
    if parts is None:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.key == parts.key))
    if token is None or token.revoked_at is not None:
        return None
    if not rules.secret_matches(parts.secret, token.secret_hash):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return Principal(
        role=token.role,
        advertiser_ids=frozenset(a.id for a in token.advertisers),
        token_id=token.id,
    )
