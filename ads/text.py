"""Text both databases can store: PostgreSQL refuses NUL, and UTF-8 has no lone surrogates.

SQLite would store either, so without this check the two databases would disagree
about the same input; every stored free text (names, URLs, reasons, targeting) is
checked here before it is written.
"""

from __future__ import annotations

import re
from typing import Any

from ads.errors import Invalid

CODE = "INVALID_CHARACTER"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    """Whether `text` can be stored as is (a filter on anything else matches no row)."""
    return _UNSTORABLE.search(text) is None


def check_storable(value: Any, *, field: str) -> None:
    """Raise Invalid for `field` when a string in `value` (walking JSON lists and objects,
    keys included) holds a NUL character or an unpaired surrogate."""
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        if found is not None:
            what = "a NUL character" if found.group() == "\x00" else "an unpaired surrogate"
            raise Invalid(f"text cannot contain {what}", field=field, code=CODE)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, field=field)
            check_storable(item, field=field)
    elif isinstance(value, list):
        for item in value:
            check_storable(item, field=field)
