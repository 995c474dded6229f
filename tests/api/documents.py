"""The repo's trusted documents, as the app registers them (for tests that send them)."""

from __future__ import annotations

from functools import cache

from ads.api.graphql_app import make_query_cache
from ads.api.trusted_documents import TrustedDocument, TrustedDocuments
from ads.config import Settings


@cache
def registered() -> TrustedDocuments:
    return TrustedDocuments.load(make_query_cache(Settings()))


def document(name: str) -> TrustedDocument:
    return registered().named(name)
