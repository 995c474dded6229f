"""An invoice document as files: the PDF a customer receives and the CSV of its lines.

Both render one `InvoiceDocument`, so they show the same rounded figures. The PDF is
byte-stable (reportlab's invariant mode: no creation time or random id inside), so the
same revision always gives the same file. Text is set in Bitstream Vera, which reportlab
ships and the PDF embeds (readers need no font of their own).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ads.billing.domain.invoice_document import CSV_HEADER, InvoiceDocument, csv_rows
from ads.billing.domain.invoice_rules import InvoiceStatus
from ads.money import format_amount
from ads.node_ids import global_id

ISSUER = "adsbackend"
ROUNDING_RULE = (
    "Each line is the month's charges and adjustments of one campaign (adjustments without "
    "a campaign form a line of their own), rounded once to the currency's minor unit, half "
    "away from zero; the total is the sum of the lines."
)


@cache
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    pdfmetrics.registerFont(TTFont("Vera-Bold", "VeraBd.ttf"))
    return "Vera", "Vera-Bold"


def invoice_pdf(document: InvoiceDocument) -> bytes:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=colors.grey)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=18, leading=24)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    status = (
        "ISSUED"
        if document.status is InvoiceStatus.ISSUED
        else "DRAFT: the month is still open, amounts may change"
    )
    story: list = [
        para(f"Invoice {document.number}", title),
        para(f"Revision {document.revision} · {status}"),
        Spacer(1, 4 * mm),
        para(f"From: {ISSUER}"),
        para(
            f"Bill to: {document.advertiser_name} (advertiser {document.advertiser_id}, "
            f"{global_id('Advertiser', document.advertiser_id)})"
        ),
        para(
            f"Period: {document.month.isoformat()} to {document.last_day.isoformat()} "
            f"({document.timezone})"
        ),
        para(f"Date of this revision: {document.created_at:%Y-%m-%d %H:%M} UTC"),
        para(f"Currency: {document.currency}"),
    ]
    if document.revision > 1:
        story.append(
            para(
                f"This revision replaces revision {document.revision - 1} of invoice "
                f"{document.number}."
            )
        )
    story.append(Spacer(1, 6 * mm))
    rows: list[list[object]] = [["#", "Description", "Campaign", f"Amount ({document.currency})"]]
    for position, line in enumerate(document.lines, start=1):
        campaign = "" if line.campaign_id is None else str(line.campaign_id)
        rows.append(
            [str(position), para(line.description), campaign, document.amount(line.amount_micros)]
        )
    rows.append(["", "Total", "", document.amount(document.total_micros)])
    table = Table(rows, colWidths=[10 * mm, 100 * mm, 25 * mm, 35 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTNAME", (0, -1), (-1, -1), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 6 * mm),
        para(ROUNDING_RULE, small),
        para(
            f"Exact ledger amount {format_amount(document.exact_micros, document.currency)} "
            f"{document.currency}; rounding residue (exact less total) "
            f"{format_amount(document.residue_micros, document.currency)}.",
            small,
        ),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Invoice {document.number} revision {document.revision}",
        author=ISSUER,
        invariant=True,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    ).build(story)
    return out.getvalue()


def invoice_csv(document: InvoiceDocument) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(document))
    return buffer.getvalue().encode()


def file_name(document: InvoiceDocument, suffix: str) -> str:
    return f"{document.number}-r{document.revision}.{suffix}"
