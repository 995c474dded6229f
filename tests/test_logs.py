"""The process log: no library chatter about an outage the caller already handles."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.errors import BrokerConnectionError

from ads.config import Settings
from ads.logs import configure_logging
from workers.broker import build_broker


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def process_log() -> Iterator[Collect]:
    """What reaches the handler of a process configured by configure_logging (the test's
    own logging restored after)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    collect = Collect()
    root.handlers[:] = [collect]
    yield collect
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_refused_rabbitmq_connection_is_one_exception_not_pages_of_log(
    process_log: Collect,
) -> None:
    broker = build_broker(Settings(broker_url="amqp://guest:guest@127.0.0.1:1/%2F"))
    actor = dramatiq.actor(lambda: None, broker=broker, actor_name="refused")
    with pytest.raises(BrokerConnectionError):
        actor.send()  # the caller gets the outage (the scheduler, an endpoint logs it once)
    logging.getLogger("ads.probe").warning("still logging")
    assert [r.name for r in process_log.records] == ["ads.probe"]
