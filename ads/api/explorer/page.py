"""The explorer's page and files: GraphiQL from the npm packages, never from a CDN.

Ariadne's stock explorer page loads GraphiQL, React and graphql-js from a CDN and sends
no Authorization header. This one loads GraphiQL's own UMD build and React from the
`node_modules` that `scripts/setup` installs from package.json (`npm ci`), plus a small
script of ours that asks for the token (the dashboard's, when signed in there: same
browser session) and sends it with every request. The page's Content-Security-Policy
allows nothing but this origin.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

from ariadne.explorer import Explorer
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

PREFIX = "/graphql/explorer"
OWN_DIR = Path(str(files("ads.api.explorer") / "static"))
#: What the page may load: URL name -> file under node_modules (or ours).
PACKAGED = {
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
}
OWN = {"explorer.js": "explorer.js", "explorer.css": "explorer.css"}
#: GraphiQL's editor adds <style> elements, so styles may be inline; scripts may not.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{prefix}/graphiql.min.css">
  <link rel="stylesheet" href="{prefix}/explorer.css">
</head>
<body>
  <div id="explorer">Loading {title}…</div>
  <script src="{prefix}/react.production.min.js"></script>
  <script src="{prefix}/react-dom.production.min.js"></script>
  <script src="{prefix}/graphiql.min.js"></script>
  <script src="{prefix}/explorer.js"></script>
</body>
</html>
"""
_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<p>GraphiQL's files are not installed in <code>{where}</code>: run <code>scripts/setup</code>
(it runs <code>npm ci</code>), or point <code>ADS_EXPLORER_ASSETS_DIR</code> at a
<code>node_modules</code> folder holding the packages of package.json.</p>
<p>The API itself works: <code>POST /graphql</code> with
<code>Authorization: Bearer &lt;token&gt;</code>.</p>
</body></html>
"""


class OfflineGraphiQL(Explorer):
    """The explorer page Ariadne's handler renders for a browser's `GET /graphql`."""

    def __init__(self, title: str, assets_dir: Path) -> None:
        self.assets_dir = assets_dir
        self.title = html.escape(title)

    def installed(self) -> bool:
        return all((self.assets_dir / path).is_file() for path in PACKAGED.values())

    def html(self, _request: object) -> str:
        if not self.installed():
            return _MISSING.format(title=self.title, where=html.escape(str(self.assets_dir)))
        return _PAGE.format(title=self.title, prefix=PREFIX)

    def response(self, request: Request) -> Response:
        return HTMLResponse(
            self.html(request),
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )


def explorer_routes(assets_dir: Path) -> list[BaseRoute]:
    """The files the explorer page loads; nothing else of node_modules is reachable."""

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name in OWN:
            return FileResponse(OWN_DIR / OWN[name])
        path = PACKAGED.get(name)
        if path is None or not (assets_dir / path).is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(assets_dir / path, headers={"Cache-Control": "public, max-age=86400"})

    return [Route(f"{PREFIX}/{{name}}", asset, methods=["GET"])]
