"""create_app(settings) -> Starlette: routes, middleware, and a lifespan owning the engine."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from ads.api.dashboard.routes import dashboard_routes
from ads.api.explorer.page import explorer_routes
from ads.api.graphql_app import make_graphql_app
from ads.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from ads.api.rest.routes import rest_routes
from ads.api.unavailable import Probe, UnavailableMiddleware, watch_recovery
from ads.config import Settings
from ads.db import async_session_factory, make_async_engine
from ads.outages import Dependency, OutageLog
from workers.broker_checks import ping_broker
from workers.exports import export_sender

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, embedded_workers: bool = False) -> Starlette:
    """The ASGI app. With `embedded_workers`, the broker, workers and scheduler run inside."""

    outages = OutageLog()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_async_engine(settings, pool_pre_ping=True)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = async_session_factory(engine)
        app.state.outages = outages
        app.state.enqueue_export = export_sender(settings, outages=outages)
        watcher = asyncio.create_task(watch_recovery(outages, _probes(settings, engine)))
        runtime = None
        if embedded_workers:
            from workers.embedded import EmbeddedRuntime

            runtime = EmbeddedRuntime(settings)
            runtime.start()
        log.info("started", extra={"env": settings.env.value, "broker": settings.broker_url})
        # Everything alive now (modules, the schema, the engine) lives as long as the
        # process: keep it out of the cyclic GC, whose full collections otherwise walk
        # it again and again under load (≈15% of a large GraphQL request's time).
        gc.freeze()
        try:
            yield
        finally:
            watcher.cancel()
            gc.unfreeze()
            if runtime is not None:
                runtime.stop()
            await engine.dispose()
            log.info("stopped")

    graphql_body = Middleware(BodyLimitMiddleware, max_bytes=settings.graphql_max_body_bytes)
    graphql, documents = make_graphql_app(settings, outages)
    routes: list[BaseRoute] = [
        *rest_routes(),
        Route("/graphql", graphql, middleware=[graphql_body]),
        *dashboard_routes(documents),
    ]
    if settings.explorer_on:
        routes += explorer_routes(Path(settings.explorer_assets_dir))
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(UnavailableMiddleware, outages=outages),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _probes(settings: Settings, engine: AsyncEngine) -> dict[Dependency, Probe]:
    """How the app checks, during an outage, whether each dependency answers again."""

    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def broker() -> None:
        await asyncio.to_thread(ping_broker, settings)

    probes: dict[Dependency, Probe] = {Dependency.DATABASE: database}
    if not settings.embedded_broker:
        probes[Dependency.BROKER] = broker
    return probes
