"""Whether the broker answers, and whether it keeps queued messages across a restart.

Redis keeps nothing across a restart unless it writes an append-only file, and may
evict queue keys under memory pressure unless told not to: production Redis needs
`appendonly yes` (with `appendfsync everysec`, at most a second of messages lost on a
crash) and `maxmemory-policy noeviction`. `ads worker` and `ads scheduler` check these at
start and warn when they are not so. RabbitMQ needs nothing set: Dramatiq declares its
queues durable and its messages persistent, and the broker waits for confirms.
"""

from __future__ import annotations

from dramatiq.errors import ConnectionClosed

from ads.config import Settings

PING_TIMEOUT_SECONDS = 2


def ping_broker(settings: Settings) -> None:
    """Connect to the configured broker and let go; raises its connection error if down."""
    if settings.embedded_broker:
        return
    if settings.broker_url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            settings.broker_url,
            socket_connect_timeout=PING_TIMEOUT_SECONDS,
            socket_timeout=PING_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    import pika

    parameters = pika.URLParameters(settings.broker_url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = PING_TIMEOUT_SECONDS
    parameters.connection_attempts = 1
    try:
        pika.BlockingConnection(parameters).close()
    except pika.exceptions.AMQPError as error:
        raise ConnectionClosed(error) from error


def durability_warnings(settings: Settings) -> list[str]:
    """What in the broker's configuration would lose queued messages (empty: nothing)."""
    if not settings.broker_url.startswith(("redis://", "rediss://")):
        return []
    import redis

    client = redis.Redis.from_url(
        settings.broker_url,
        socket_connect_timeout=PING_TIMEOUT_SECONDS,
        socket_timeout=PING_TIMEOUT_SECONDS,
        decode_responses=True,
    )
    try:
        config = {
            **client.config_get("appendonly"),
            **client.config_get("maxmemory-policy"),
        }
    except redis.ResponseError:
        return [
            "Redis refuses CONFIG GET, so its persistence is unknown: it must run with "
            "appendonly yes and maxmemory-policy noeviction, or queued messages can be lost"
        ]
    finally:
        client.close()
    warnings = []
    if config.get("appendonly") != "yes":
        warnings.append(
            "Redis runs without an append-only file (appendonly no): messages queued when "
            "it restarts are lost; run it with appendonly yes"
        )
    if config.get("maxmemory-policy", "noeviction") != "noeviction":
        warnings.append(
            f"Redis may evict queued messages (maxmemory-policy "
            f"{config['maxmemory-policy']}); run it with maxmemory-policy noeviction"
        )
    return warnings
