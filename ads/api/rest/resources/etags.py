"""Entity tags of REST resources: the body's digest, led by the resource's version.

A GET's tag changes whenever its body does, so `If-None-Match` answers 304 only for an
identical body. A versioned resource's tag starts with its `version` (`"7.9f86d081…"`):
`If-Match` with that tag on a change is the GraphQL `expectedVersion`, so a client that
read the resource in REST needs no field of the body to guard its write.
"""

from __future__ import annotations

import hashlib
import re

_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e]*)"\s*')


def entity_tag(body: bytes, version: object = None) -> str:
    digest = hashlib.sha256(body).hexdigest()[:20]
    return f'"{version}.{digest}"' if type(version) is int else f'"{digest}"'


def tags(header: str) -> list[str] | None:
    """The opaque tags of an If-Match / If-None-Match list (weakness dropped); None for
    `*`; [] when the header is malformed."""
    if header.strip() == "*":
        return None
    found = []
    for part in header.split(","):
        match = _TAG.fullmatch(part)
        if match is None:
            return []
        found.append(match.group(2))
    return found


def none_match(header: str | None, tag: str) -> bool:
    """True when `If-None-Match` holds this tag (weak comparison, as RFC 9110 says)."""
    if header is None:
        return False
    listed = tags(header)
    return listed is None or tag.strip('"') in listed


def version_in(header: str) -> int | None:
    """The version an `If-Match` header names, None for `*` (any version); ValueError
    when it names no single version of ours (so the precondition cannot hold)."""
    listed = tags(header)
    if listed is None:
        return None
    version, dot, _ = listed[0].partition(".") if len(listed) == 1 else ("", "", "")
    if not dot or not version.isascii() or not version.isdigit() or len(version) > 9:
        raise ValueError(header)
    return int(version)
