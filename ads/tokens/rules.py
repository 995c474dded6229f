"""Token strings: generation, parsing and hashing (pure).

A token is `ads_<key>_<secret>`. The key is a public lookup id; only SHA-256 of the
secret is stored. A single fast hash is enough because the secret is 256 random bits:
slow password hashes exist for low-entropy secrets chosen by people.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "ads"


@dataclass(frozen=True)
class TokenParts:
    key: str
    secret: str


def generate() -> tuple[str, TokenParts]:
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{key}_{secret}", TokenParts(key, secret)


def parse(token: str) -> TokenParts | None:
    """Split a presented token, or None when it is not shaped like one of ours."""
    prefix, _, rest = token.partition("_")
    key, _, secret = rest.partition("_")
    if prefix != PREFIX or len(key) != 16 or len(secret) < 32:
        return None
    return TokenParts(key, secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
