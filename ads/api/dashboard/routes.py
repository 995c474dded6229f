"""`/dashboard`: the page, its static files and the ids of the trusted documents it sends.

The dashboard is plain HTML, CSS and JavaScript modules served as they are (no build
step, nothing from a CDN), and it talks to the API only through `POST /graphql` with
the ids of its documents (`ads/api/documents/dashboard/`), which it reads from
`/dashboard/documents.json`: the registry computed them at start, so the page and the
server can never disagree on a hash. The page's Content-Security-Policy allows nothing
but this origin, so a stray third-party URL fails in development as it would offline.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ads.api.trusted_documents import TrustedDocuments

STATIC_DIR = Path(str(files("ads.api.dashboard") / "static"))
#: This origin only; `data:` images for the favicon.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def dashboard_routes(documents: TrustedDocuments) -> list[BaseRoute]:
    manifest = documents.manifest("dashboard")

    async def page(_request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers=SECURITY_HEADERS)

    async def document_ids(_request: Request) -> Response:
        return JSONResponse(manifest, headers={"Cache-Control": "no-cache"})

    async def with_slash(_request: Request) -> Response:
        return RedirectResponse("/dashboard/", status_code=308)

    async def no_icon(_request: Request) -> Response:
        # Browsers ask for it on pages without an icon link (a JSON document, a file).
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    return [
        Route("/dashboard", with_slash, methods=["GET"]),
        Route("/dashboard/", page, methods=["GET"]),
        Route("/dashboard/documents.json", document_ids, methods=["GET"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
        Mount("/dashboard/static", StaticFiles(directory=STATIC_DIR), name="dashboard"),
    ]
