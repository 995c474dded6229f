"""Build the Dramatiq broker from Settings: Redis, RabbitMQ, or the in-process one."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries, TimeLimit

from ads.config import Settings

#: Retries with exponential backoff (Dramatiq's own middleware), bounded so that a shard
#: that keeps failing gives up and the next tick starts afresh.
MAX_RETRIES = 5
MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 60_000
#: No actor may run longer than this; a pacing tick must finish well inside its period.
DEFAULT_TIME_LIMIT_MS = 120_000
SOCKET_TIMEOUT_SECONDS = 5


def build_broker(settings: Settings) -> dramatiq.Broker:
    """A new broker for this process, made the global Dramatiq broker."""
    broker: dramatiq.Broker
    if settings.embedded_broker:
        broker = StubBroker()
    elif settings.broker_url.startswith(("redis://", "rediss://")):
        import redis
        from dramatiq.brokers.redis import RedisBroker

        # Timeouts, so that a broker gone silent (not just refusing) fails a send in
        # seconds instead of hanging the sender; nothing Dramatiq runs blocks that long.
        pool = redis.ConnectionPool.from_url(
            settings.broker_url,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_timeout=3 * SOCKET_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        broker = RedisBroker(connection_pool=pool)
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # A message counts as sent once RabbitMQ has confirmed it (it is then on disk,
        # since Dramatiq's queues are durable and its messages persistent).
        broker = RabbitmqBroker(url=settings.broker_url, confirm_delivery=True)
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.max_retries = MAX_RETRIES
            middleware.min_backoff = MIN_BACKOFF_MS
            middleware.max_backoff = MAX_BACKOFF_MS
        if isinstance(middleware, TimeLimit):
            middleware.time_limit = DEFAULT_TIME_LIMIT_MS
    dramatiq.set_broker(broker)
    return broker
