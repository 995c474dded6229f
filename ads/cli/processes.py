"""`ads serve`, `ads worker`, `ads scheduler`: the long-running processes."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Any

from ads.cli.arguments import Commands, stop_requested
from ads.config import Settings

log = logging.getLogger(__name__)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ads.logs import configure_logging

    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and settings.embedded_broker:
        print(
            "error: the embedded mode (ADS_BROKER_URL=embedded) runs its workers and "
            "scheduler inside one `ads serve` process; set ADS_BROKER_URL to a broker to "
            "serve with --workers",
            file=sys.stderr,
        )
        return 2
    from ads.schema_version import require_current_schema

    require_current_schema(settings)  # after the usage checks: a usage error is said first
    configure_logging(settings.log_level)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_config": None,
        "proxy_headers": True,
        "timeout_graceful_shutdown": 10,
    }
    if args.workers == 1:
        from ads.api.app import create_app

        app = create_app(settings, embedded_workers=settings.embedded_broker)
        uvicorn.run(app, **options)
    else:
        # Each worker process imports the app anew and reads the same environment.
        uvicorn.run(
            f"{__name__}:served_app",
            factory=True,
            workers=args.workers,
            **options,
        )
    return 0


def served_app() -> Any:
    """The app of one `ads serve --workers N` process (never embedded: N > 1)."""
    from ads.api.app import create_app
    from ads.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    stop = stop_requested()
    from ads.logs import configure_logging

    if settings.embedded_broker:
        print(
            "error: `ads worker` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the workers itself",
            file=sys.stderr,
        )
        return 2
    if args.processes < 1 or (args.threads is not None and args.threads < 1):
        print("error: --processes and --threads must be at least 1", file=sys.stderr)
        return 2
    if args.processes > 1:
        return _worker_processes(args, stop)  # each child checks schema and broker itself
    from dramatiq import Worker

    from ads.schema_version import require_current_schema
    from workers.actors import declare_actors
    from workers.broker import build_broker
    from workers.broker_checks import durability_warnings, ping_broker

    # After the usage check, before the JSON logs: each failure is one line of its own.
    require_current_schema(settings)
    ping_broker(settings)
    configure_logging(settings.log_level)
    _warn_if_not_durable(durability_warnings(settings))
    broker = build_broker(settings)
    declare_actors(broker, settings)
    threads = args.threads or settings.worker_threads
    worker = Worker(broker, worker_threads=threads)
    worker.start()
    log.info("worker started", extra={"threads": threads})
    stop.wait()
    worker.stop()
    broker.close()
    return 0


def _worker_processes(args: argparse.Namespace, stop: threading.Event) -> int:
    """Run `--processes` workers as child processes (each its own interpreter, so the
    shards of a pacing tick are decided on as many cores); stop them all on a signal,
    or when one of them exits, with the first failure's code."""
    import signal
    import subprocess

    command = [sys.executable, "-m", "ads.cli", "worker", "--processes", "1"]
    if args.threads is not None:
        command += ["--threads", str(args.threads)]
    # Our own interpreter and module; the only argument from outside is an int.
    children = [subprocess.Popen(command) for _ in range(args.processes)]  # noqa: S603
    log.info("worker processes started", extra={"pids": [child.pid for child in children]})
    while not stop.wait(0.5) and all(child.poll() is None for child in children):
        pass
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    codes = [child.wait() for child in children]
    failed = [code for code in codes if code not in (0, -signal.SIGTERM)]
    if not stop.is_set():
        log.error("a worker process exited; the others were stopped", extra={"codes": codes})
        return failed[0] if failed else 1
    return failed[0] if failed else 0


def _scheduler(_args: argparse.Namespace, settings: Settings) -> int:
    stop = stop_requested()
    from ads.logs import configure_logging
    from workers.actors import declare_actors, periodic_jobs
    from workers.broker import build_broker
    from workers.broker_checks import durability_warnings, ping_broker
    from workers.scheduler import Scheduler

    if settings.embedded_broker:
        print(
            "error: `ads scheduler` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the scheduler itself",
            file=sys.stderr,
        )
        return 2
    ping_broker(settings)  # unreachable: one line (EX_TEMPFAIL), not a retry loop in the log
    configure_logging(settings.log_level)
    _warn_if_not_durable(durability_warnings(settings))
    broker = build_broker(settings)
    scheduler = Scheduler(periodic_jobs(declare_actors(broker, settings), settings))
    thread = threading.Thread(target=scheduler.run_forever, daemon=True)
    thread.start()
    stop.wait()
    scheduler.stop()
    thread.join(timeout=5)
    broker.close()
    return 0


def _warn_if_not_durable(warnings: list[str]) -> None:
    for warning in warnings:
        logging.getLogger("ads.broker").warning(warning)


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API (and, embedded, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP processes on the one port (needs a broker; embedded mode is one process)",
    )
    serve.set_defaults(handler=_serve, uses_database=False)  # checks it itself

    worker = commands.add_parser("worker", help="run Dramatiq worker threads on the broker")
    worker.add_argument(
        "--threads", type=int, default=None, help="per process (default ADS_WORKER_THREADS)"
    )
    worker.add_argument(
        "--processes", type=int, default=1, help="worker processes (one core each, at most)"
    )
    worker.set_defaults(handler=_worker, uses_database=False)  # checks it itself

    scheduler = commands.add_parser("scheduler", help="enqueue the periodic jobs")
    scheduler.set_defaults(handler=_scheduler, uses_database=False)  # only sends messages
