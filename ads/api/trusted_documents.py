"""Trusted documents: our own clients' operations, registered by SHA-256 when the app starts.

Each `.graphql` file under `ads/api/documents/` holds one named operation (and the
fragments it uses), named like the file. The registry parses and validates every file
once, at start, against the schema (a document that fails stops the server: it is a
bug in the repo, not a request error; the size limits, which guard against documents
from outside, do not apply to these), and keys it by the
GraphQL-over-HTTP persisted-document identifier `sha256:<hex of the file's UTF-8
text>`. A request then names a document instead of sending its text, so it costs no
parsing and no validation; and a deployment can accept only these documents from
ADVERTISER tokens, closing the API to ad-hoc queries from the outside.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from graphql import OperationDefinitionNode

from ads.api.query_cache import Prepared, QueryCache, is_mutation

#: Where the trusted documents live, as package data (each client in its own folder).
DOCUMENTS_DIR = Path(str(files("ads.api") / "documents"))
PREFIX = "sha256:"
_ID = re.compile(r"sha256:[0-9a-f]{64}")


class DocumentError(ValueError):
    """A registered file that is not one valid, named operation (the server won't start)."""


def document_id(text: str) -> str:
    """The persisted-document identifier of a document's exact text."""
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


def is_document_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """One registered operation, parsed and validated."""

    id: str
    name: str
    #: The file it came from, relative to the documents folder.
    source: str
    text: str
    prepared: Prepared

    @property
    def mutation(self) -> bool:
        operation = self.prepared.operation(None)
        return operation is not None and is_mutation(operation)


class TrustedDocuments:
    """The registry: documents by id and by operation name (both unique)."""

    def __init__(self, documents: Iterable[TrustedDocument]) -> None:
        self._by_id: dict[str, TrustedDocument] = {}
        self._by_name: dict[str, TrustedDocument] = {}
        for document in documents:
            for index, key in ((self._by_id, document.id), (self._by_name, document.name)):
                if key in index:
                    raise DocumentError(
                        f"{document.source}: {key} is registered twice (also {index[key].source})"
                    )
                index[key] = document

    @classmethod
    def load(cls, cache: QueryCache, root: Path = DOCUMENTS_DIR) -> TrustedDocuments:
        """Every `.graphql` file under `root`, checked by the cache's rules and pinned in it."""
        documents = [_load(cache, path, root) for path in sorted(root.rglob("*.graphql"))]
        registry = cls(documents)
        for document in registry:
            cache.pin(document.text, document.prepared)
        return registry

    def get(self, identifier: str) -> TrustedDocument | None:
        return self._by_id.get(identifier)

    def named(self, name: str) -> TrustedDocument:
        """The document of this operation name (KeyError when there is none)."""
        return self._by_name[name]

    def manifest(self, folder: str | None = None) -> dict[str, str]:
        """Operation name -> document id, of one client's folder or of all."""
        return {d.name: d.id for d in self if folder is None or d.source.startswith(f"{folder}/")}

    def __iter__(self) -> Iterator[TrustedDocument]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


def _load(cache: QueryCache, path: Path, root: Path) -> TrustedDocument:
    source = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    prepared = cache.prepare_trusted(text)
    if prepared.errors:
        raise DocumentError(f"{source}: {prepared.errors[0].message}")
    assert prepared.document is not None
    operations = [
        d for d in prepared.document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if len(operations) != 1 or operations[0].name is None:
        raise DocumentError(f"{source}: a trusted document holds exactly one named operation")
    name = operations[0].name.value
    if name != path.stem:
        raise DocumentError(f"{source}: the operation is named {name}, the file {path.stem}")
    return TrustedDocument(document_id(text), name, source, text, prepared)
