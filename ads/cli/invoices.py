"""`ads invoice show|pdf|csv`: an invoice as the customer receives it, for finance."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ads.cli.arguments import Commands, add_advertisers, month
from ads.config import Settings

if TYPE_CHECKING:
    from ads.billing.domain.invoice_document import InvoiceDocument


def _document(args: argparse.Namespace, settings: Settings) -> InvoiceDocument:
    from ads.auth.principal import CLI_PRINCIPAL
    from ads.billing.invoice_documents import find_invoice, invoice_document, resolve_invoice
    from ads.db import make_engine, session_factory
    from ads.errors import Invalid

    if (args.invoice is None) == (args.advertiser is None):
        raise Invalid("say which invoice: its id, global id or number, or --advertiser")
    if args.advertiser is not None and len(args.advertiser) > 1:
        raise Invalid("one --advertiser at a time")
    engine = make_engine(settings)
    try:
        with session_factory(engine)() as session:
            if args.invoice is not None:
                invoice = resolve_invoice(
                    session, CLI_PRINCIPAL, args.invoice, revision=args.revision
                )
            else:
                invoice = find_invoice(
                    session,
                    CLI_PRINCIPAL,
                    advertiser_id=args.advertiser[0],
                    month=args.month,
                    revision=args.revision,
                )
            return invoice_document(session, invoice)
    finally:
        engine.dispose()


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from ads.money import format_amount
    from ads.node_ids import global_id

    doc = _document(args, settings)
    width = max([len(line.description) for line in doc.lines] + [5])
    print(f"Invoice {doc.number} revision {doc.revision} ({doc.status})")
    print(
        f"Bill to: {doc.advertiser_name} (advertiser {doc.advertiser_id}, "
        f"{global_id('Advertiser', doc.advertiser_id)})"
    )
    print(
        f"Period: {doc.month.isoformat()} to {doc.last_day.isoformat()} ({doc.timezone}), "
        f"amounts in {doc.currency}"
    )
    for position, line in enumerate(doc.lines, start=1):
        campaign = "" if line.campaign_id is None else f"campaign {line.campaign_id}"
        print(
            f"{position:>3}  {line.description:<{width}}  {campaign:<18} "
            f"{doc.amount(line.amount_micros):>16}"
        )
    print(f"{'':>3}  {'Total':<{width}}  {'':<18} {doc.amount(doc.total_micros):>16}")
    print(
        f"exact ledger amount {format_amount(doc.exact_micros, doc.currency)}, rounding "
        f"residue {format_amount(doc.residue_micros, doc.currency)}"
    )
    print(
        f"invoice {doc.invoice_id} ({global_id('Invoice', doc.invoice_id)}): "
        f"GET /v1/invoices/{doc.invoice_id}.pdf, .csv"
    )
    return 0


def _write(args: argparse.Namespace, settings: Settings, suffix: str) -> int:
    from ads.billing.invoice_files import file_name, invoice_csv, invoice_pdf

    doc = _document(args, settings)
    content = invoice_pdf(doc) if suffix == "pdf" else invoice_csv(doc)
    out = Path(args.out or file_name(doc, suffix))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    print(
        f"invoice {doc.number} revision {doc.revision} ({doc.status}), total "
        f"{doc.amount(doc.total_micros)} {doc.currency}, written to {out}"
    )
    return 0


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "invoice",
        nargs="?",
        help="the invoice's id, GraphQL global id or number (INV-YYYYMM-…)",
    )
    add_advertisers(parser, "or: this advertiser's invoice")
    parser.add_argument(
        "--month", type=month, metavar="YYYY-MM", help="with --advertiser (default: its latest)"
    )
    parser.add_argument(
        "--revision", type=int, metavar="N", help="this revision (default: the latest)"
    )


def register(commands: Commands) -> None:
    invoice = commands.add_parser("invoice", help="invoices as documents: show, PDF, CSV")
    actions = invoice.add_subparsers(dest="invoice_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print an invoice: number, lines, total")
    _selection(show)
    show.set_defaults(handler=_show)
    for suffix in ("pdf", "csv"):
        action = actions.add_parser(suffix, help=f"write an invoice's {suffix.upper()} file")
        _selection(action)
        action.add_argument(
            "--out", metavar="FILE", help="where (default: INV-…-rN." + suffix + " here)"
        )
        action.set_defaults(handler=lambda a, s, _suffix=suffix: _write(a, s, _suffix))
