"""`ads serve`, `ads worker`, `ads scheduler`: the long-running processes."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from ads.cli.arguments import Commands, stop_requested
from ads.config import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ads.api.app import create_app
    from ads.logs import configure_logging

    configure_logging(settings.log_level)
    app = create_app(settings, embedded_workers=settings.embedded_broker)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    stop = stop_requested()
    from dramatiq import Worker

    from ads.logs import configure_logging
    from workers.actors import declare_actors
    from workers.broker import build_broker

    configure_logging(settings.log_level)
    if settings.embedded_broker:
        print(
            "error: `ads worker` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the workers itself",
            file=sys.stderr,
        )
        return 2
    broker = build_broker(settings)
    declare_actors(broker, settings)
    threads = args.threads or settings.worker_threads
    worker = Worker(broker, worker_threads=threads)
    worker.start()
    logging.getLogger(__name__).info("worker started", extra={"threads": threads})
    stop.wait()
    worker.stop()
    broker.close()
    return 0


def _scheduler(_args: argparse.Namespace, settings: Settings) -> int:
    stop = stop_requested()
    from ads.logs import configure_logging
    from workers.actors import declare_actors, periodic_jobs
    from workers.broker import build_broker
    from workers.scheduler import Scheduler

    configure_logging(settings.log_level)
    if settings.embedded_broker:
        print(
            "error: `ads scheduler` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the scheduler itself",
            file=sys.stderr,
        )
        return 2
    broker = build_broker(settings)
    scheduler = Scheduler(periodic_jobs(declare_actors(broker, settings), settings))
    thread = threading.Thread(target=scheduler.run_forever, daemon=True)
    thread.start()
    stop.wait()
    scheduler.stop()
    thread.join(timeout=5)
    broker.close()
    return 0


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API (and, embedded, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run Dramatiq worker threads on the broker")
    worker.add_argument("--threads", type=int, default=None)
    worker.set_defaults(handler=_worker)

    scheduler = commands.add_parser("scheduler", help="enqueue the periodic jobs")
    scheduler.set_defaults(handler=_scheduler)
