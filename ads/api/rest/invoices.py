"""GET /v1/invoices/{id}.pdf and .csv: an invoice as the document the customer receives.

The same authorization as export downloads: FINANCE and ADMIN tokens get any invoice, an
ADVERTISER token only its own advertisers' (others are 404, as if they did not exist),
SERVICE tokens none. `{id}` is the invoice's number (as in `Invoice.databaseId`) or its
GraphQL global id; each revision is its own document.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from ads.api.rest.service_auth import load_document
from ads.auth.principal import Principal
from ads.billing.domain.invoice_document import InvoiceDocument
from ads.billing.invoice_documents import get_invoice, invoice_document
from ads.billing.invoice_files import file_name, invoice_csv, invoice_pdf
from ads.node_ids import InvalidId, parse_id

RENDERERS = {
    "pdf": ("application/pdf", invoice_pdf),
    "csv": ("text/csv; charset=utf-8", invoice_csv),
}


async def get_invoice_pdf(request: Request) -> Response:
    return await _document(request, "pdf")


async def get_invoice_csv(request: Request) -> Response:
    return await _document(request, "csv")


async def _document(request: Request, suffix: str) -> Response:
    try:
        invoice_id: int | None = parse_id(request.path_params["invoice_id"], "Invoice")
    except InvalidId:
        invoice_id = None

    def find(session: Session, principal: Principal, pk: int) -> InvoiceDocument:
        return invoice_document(session, get_invoice(session, principal, pk))

    document = await load_document(request, "invoice", invoice_id, find)
    if isinstance(document, Response):
        return document
    media_type, render = RENDERERS[suffix]
    return Response(
        render(document),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(document, suffix)}"',
            "X-Invoice-Number": document.number,
            "X-Invoice-Revision": str(document.revision),
        },
    )
