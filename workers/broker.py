"""Build the Dramatiq broker from Settings: Redis, RabbitMQ, or the in-process one."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.errors import ConnectionClosed
from dramatiq.middleware import Retries, TimeLimit

from ads.config import Settings

#: Retries with exponential backoff (Dramatiq's own middleware), bounded so that a shard
#: that keeps failing gives up and the next tick starts afresh.
MAX_RETRIES = 5
MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 60_000
#: No actor may run longer than this; a pacing tick must finish well inside its period.
DEFAULT_TIME_LIMIT_MS = 120_000


def build_broker(settings: Settings) -> dramatiq.Broker:
    """A new broker for this process, made the global Dramatiq broker."""
    broker: dramatiq.Broker
    if settings.embedded_broker:
        broker = StubBroker()
    elif settings.broker_url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=settings.broker_url)
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=settings.broker_url)
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.max_retries = MAX_RETRIES
            middleware.min_backoff = MIN_BACKOFF_MS
            middleware.max_backoff = MAX_BACKOFF_MS
        if isinstance(middleware, TimeLimit):
            middleware.time_limit = DEFAULT_TIME_LIMIT_MS
    dramatiq.set_broker(broker)
    return broker


def ping_broker(settings: Settings) -> None:
    """Connect to the configured broker and let go; raises its connection error if down."""
    if settings.embedded_broker:
        return
    if settings.broker_url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            settings.broker_url, socket_connect_timeout=2, socket_timeout=2
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    import pika

    parameters = pika.URLParameters(settings.broker_url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = 2
    parameters.connection_attempts = 1
    try:
        pika.BlockingConnection(parameters).close()
    except pika.exceptions.AMQPError as error:
        raise ConnectionClosed(error) from error
