"""The one authorization policy: every read of a tenant's rows goes through `policy.scoped`.

Two guards keep it so. Statically, no module but the policy reads the raw scope, and every
service function that reads rows on behalf of a caller asks the policy. Dynamically, every
scoped read builder in the package (`*_query(principal, …)`, found by walking the package,
so a new one is checked the day it is written) returns only the caller's own rows when
run against a database holding two tenants' rows of every kind.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.orm import Session

import ads
from ads.accounts.models import Advertiser
from ads.audit.models import AuditEntry
from ads.auth.principal import CLI_PRINCIPAL, Principal
from ads.auth.roles import Role
from ads.billing.adjustments import create_adjustment
from ads.billing.models import Invoice, LedgerEntry
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.errors import DomainError
from ads.exports.models import BillingExport
from ads.pacing.experiments.models import PacingExperiment
from tests import factories
from tests.billing.fixtures import Send, make_account, run_billing

PACKAGE = Path(ads.__file__).parent
POLICY = PACKAGE / "auth" / "policy.py"


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "__main__.py":
            continue  # migrations are not reads; importing a __main__ runs the program
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        yield ".".join(relative.parts).removesuffix(".__init__"), path


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Name):
            names.add(func.id)
        elif isinstance(func, ast.Attribute):
            names.add(func.attr)
            if isinstance(func.value, ast.Name):
                names.add(f"{func.value.id}.{func.attr}")
    return names


def test_no_module_but_the_policy_reads_the_raw_advertiser_scope() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for _, path in _modules()
        if path != POLICY
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute | ast.Name)
        and (node.attr if isinstance(node, ast.Attribute) else node.id) == "advertiser_scope"
    ]
    assert not offenders, f"filter tenants with policy.scoped, not by hand: {offenders}"


def test_every_read_on_behalf_of_a_caller_asks_the_policy() -> None:
    """A function that takes a `principal` and reads rows (select, session.get) must ask the
    policy, directly (`policy.…`) or through a scoped builder (`*_query`) or checked getter
    (`get_*`, `_writable_*`, `_campaign_for_write`) that does."""
    unchecked = []
    for _, path in _modules():
        for fn in ast.walk(ast.parse(path.read_text())):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = {a.arg for a in (*fn.args.args, *fn.args.kwonlyargs)}
            names = _called_names(fn)
            if "principal" not in params or not ({"select", "session.get"} & names):
                continue
            asks = any(
                name.startswith(("policy.", "get_", "_writable_", "_campaign_for_write"))
                or name.endswith("_query")
                for name in names
            )
            if not asks:
                unchecked.append(f"{path.relative_to(PACKAGE.parent)}:{fn.lineno} {fn.name}")
    assert not unchecked, f"reads on behalf of a caller that bypass the policy: {unchecked}"


def _read_builders() -> list[tuple[str, Callable[..., Select[Any]]]]:
    """Every `*_query(principal, …)` of the package whose other parameters have defaults."""
    found = []
    for name, _ in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if not (attr.endswith("_query") and inspect.isfunction(value)):
                continue
            if value.__module__ != name:
                continue
            params = list(inspect.signature(value).parameters.values())
            if not params or params[0].name != "principal":
                continue
            if any(p.default is inspect.Parameter.empty for p in params[1:]):
                continue
            found.append((f"{name}.{attr}", value))
    return found


BUILDERS = _read_builders()


def _owner(session: Session, row: Any) -> frozenset[int] | None:
    """The advertisers a row belongs to (None: no tenant, e.g. an all-advertiser export)."""
    if isinstance(row, Advertiser):
        return frozenset({row.id})
    if isinstance(row, Campaign | AuditEntry | LedgerEntry | Invoice):
        return frozenset({row.advertiser_id})
    if isinstance(row, AdGroup):
        return frozenset({session.get(Campaign, row.campaign_id).advertiser_id})
    if isinstance(row, Ad):
        return _owner(session, session.get(AdGroup, row.ad_group_id))
    if isinstance(row, BillingExport):
        return None if row.advertiser_ids is None else frozenset(row.advertiser_ids)
    if isinstance(row, PacingExperiment):
        return None
    raise AssertionError(
        f"{type(row).__name__} rows are read by a scoped builder: say here whose they are"
    )


@pytest.fixture
def two_tenants(session: Session, send: Send) -> tuple[int, int]:
    """Two advertisers with a row of every tenant table each, and rows of no tenant."""
    first = make_account(session, budgets=(5_000_000,))
    second = make_account(session, currency="EUR", timezone="Europe/Paris", budgets=(5_000_000,))
    moment = datetime(2026, 11, 10, 15, tzinfo=UTC)
    for account in (first, second):
        send(account.ad_ids[0], moment, 1_000_000)
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    for account in (first, second):
        create_adjustment(
            session,
            CLI_PRINCIPAL,
            advertiser_id=account.advertiser_id,
            campaign_id=None,
            day=date(2026, 11, 12),
            amount_micros=-10_000,
            reason="goodwill",
            now=datetime(2026, 11, 20, tzinfo=UTC),
            allowance_seconds=3600,
        )
        factories.export(session, advertiser_ids=[account.advertiser_id])
    factories.export(session)
    factories.advertiser(session, name="Nobody's tenant")
    return first.advertiser_id, second.advertiser_id


def test_read_builders_are_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in BUILDERS}
    assert {"advertisers_query", "campaigns_query", "ads_query", "ledger_query"} <= names


@pytest.mark.parametrize(("name", "builder"), BUILDERS, ids=[n for n, _ in BUILDERS])
def test_a_tenant_reads_only_its_own_rows(
    session: Session, two_tenants: tuple[int, int], name: str, builder: Callable[..., Any]
) -> None:
    for mine in two_tenants:
        tenant = Principal(role=Role.ADVERTISER, advertiser_ids=frozenset({mine}), token_id=1)
        try:
            rows = list(session.scalars(builder(tenant)))
        except DomainError:
            continue  # refused outright: nothing read
        everyone = list(session.scalars(builder(CLI_PRINCIPAL)))
        for row in rows:
            owner = _owner(session, row)
            assert owner is not None, f"{name} showed {row!r}, of no tenant, to tenant {mine}"
            assert owner <= {mine}, f"{name} leaked {row!r} to {mine}"
        owners = [_owner(session, r) for r in everyone]
        theirs = [o for o in owners if o is not None and o <= {mine}]
        assert len(rows) == len(theirs), f"{name} hid some of {mine}'s own rows"
        if any(o is not None for o in owners):
            assert rows, f"the fixture holds no {name} rows of {mine}: the check would be empty"
