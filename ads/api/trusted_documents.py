"""Trusted documents: our own clients' operations, registered by SHA-256 when the app starts.

Each `.graphql` file under `ads/api/documents/<client>/` holds one named operation (and
fragments of its own), named like the file. Fragments a client's documents share live
in its `fragments/` folder (`documents/rest/fragments/*.graphql`, fragment definitions
only), so that a resource's fields are written once: a document spreads them by name,
with no import line. The registered text of a document is what a client would send:
its file (trailing newlines trimmed to one), then, for every shared fragment it uses,
directly or through another one, in name order, a blank line and that definition as
written. The registry builds and validates every document once, at start, against the
schema (a document that fails stops the server: it is a bug in the repo, not a request
error; the size limits, which guard against documents from outside, do not apply to
these), and keys it by the GraphQL-over-HTTP persisted-document identifier
`sha256:<hex of the registered text's UTF-8>` — for a document that uses no shared
fragment, its file's. A request then names a document instead of sending its text, so
it costs no parsing and no validation; and a deployment can accept only these documents
from ADVERTISER tokens, closing the API to ad-hoc queries from the outside.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)

from ads.api.query_cache import Prepared, QueryCache, is_mutation

#: Where the trusted documents live, as package data (each client in its own folder).
DOCUMENTS_DIR = Path(str(files("ads.api") / "documents"))
#: The folder of a client's shared fragments.
FRAGMENTS = "fragments"
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
    #: The registered text: the file's, with the shared fragments it uses.
    text: str
    prepared: Prepared
    #: The shared fragments appended to the file's text.
    fragments: tuple[SharedFragment, ...] = ()

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
        """Every operation file under `root` with the shared fragments it uses, checked by
        the cache's rules and pinned in it."""
        paths = sorted(root.rglob("*.graphql"))
        shared = shared_fragments(root, [p for p in paths if _is_fragments_file(p, root)])
        documents = [
            _load(cache, path, root, shared.get(_client(path, root), {}))
            for path in paths
            if not _is_fragments_file(path, root)
        ]
        unused = {
            (fragment.source, fragment.name)
            for fragments in shared.values()
            for fragment in fragments.values()
        } - {(f.source, f.name) for d in documents for f in d.fragments}
        if unused:
            source, name = min(unused)
            raise DocumentError(f"{source}: fragment {name} is used by no document")
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


@dataclass(frozen=True, slots=True)
class SharedFragment:
    """A fragment of a client's `fragments/` folder, as written there."""

    name: str
    source: str
    text: str
    #: The fragments its own selection spreads.
    spreads: frozenset[str]


def _client(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else ""


def _is_fragments_file(path: Path, root: Path) -> bool:
    return FRAGMENTS in path.relative_to(root).parts[:-1]


def shared_fragments(root: Path, paths: Iterable[Path]) -> dict[str, dict[str, SharedFragment]]:
    """The shared fragments of each client folder, by name (DocumentError for a file
    that holds anything else, or a name defined twice)."""
    found: dict[str, dict[str, SharedFragment]] = {}
    for path in paths:
        source = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            definitions = parse(text, no_location=False).definitions
        except GraphQLError as error:
            raise DocumentError(f"{source}: {error.message}") from None
        fragments = found.setdefault(_client(path, root), {})
        for definition in definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                raise DocumentError(f"{source}: a fragments file holds fragment definitions only")
            name = definition.name.value
            if name in fragments:
                raise DocumentError(
                    f"{source}: fragment {name} is defined twice (also {fragments[name].source})"
                )
            assert definition.loc is not None
            written = text[definition.loc.start : definition.loc.end]
            fragments[name] = SharedFragment(name, source, written, _spreads(definition))
    return found


def _spreads(node: Node) -> frozenset[str]:
    names: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.add(spread.name.value)

    visit(node, Spreads())
    return frozenset(names)


def registered_text(
    source: str, text: str, shared: dict[str, SharedFragment]
) -> tuple[str, tuple[SharedFragment, ...]]:
    """A document's registered text (its file and the shared fragments it uses) and
    those fragments; the file's text itself when it uses none."""
    try:
        document = parse(text)
    except GraphQLError as error:
        raise DocumentError(f"{source}: {error.message}") from None
    own = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    clashes = sorted(own & set(shared))
    if clashes:
        raise DocumentError(
            f"{source}: fragment {clashes[0]} is shared ({shared[clashes[0]].source}); use "
            "it, do not define it again"
        )
    used: dict[str, SharedFragment] = {}
    pending = sorted(_spreads(document) - own)
    while pending:
        name = pending.pop()
        if name in used or name not in shared:
            continue  # an unknown fragment: validation names it
        used[name] = shared[name]
        pending += sorted(shared[name].spreads - own)
    if not used:
        return text, ()
    fragments = tuple(used[name] for name in sorted(used))
    return text.rstrip("\n") + "\n" + "".join(f"\n{f.text}\n" for f in fragments), fragments


def _load(
    cache: QueryCache, path: Path, root: Path, shared: dict[str, SharedFragment]
) -> TrustedDocument:
    source = path.relative_to(root).as_posix()
    text, fragments = registered_text(source, path.read_text(encoding="utf-8"), shared)
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
    return TrustedDocument(document_id(text), name, source, text, prepared, fragments)
