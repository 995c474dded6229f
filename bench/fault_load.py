"""The fault drill's ad server: batches of events POSTed until acknowledged, duplicates resent.

Each sender thread posts batches of new events (unique ids) and retries a batch until
it is answered 200, as an ad server must: a 503 is retried (after at most half a second,
shorter than the `Retry-After` the server gives, so that recovery is measured to the
half second), a connection error too. Every tenth acknowledged batch is sent again as it
was (an ad server that did not see the answer): all of its events must come back as
duplicates. Every answer is recorded with its time, so that the drill can say what
clients saw during each fault.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson

RETRY_CAP_SECONDS = 0.5
GIVE_UP_SECONDS = 300
RESEND_EVERY = 10


@dataclass(frozen=True, slots=True)
class Answer:
    at: float  # time.monotonic() when the answer came
    status: int  # 0: no HTTP answer (connection refused, reset, timeout)
    retry_after: str | None
    resend: bool


@dataclass
class Tally:
    sent_events: int = 0  # unique events in acknowledged batches
    acknowledged: set[str] = field(default_factory=set)
    resent_events: int = 0
    resent_reported_duplicate: int = 0
    rejected: int = 0
    abandoned: int = 0  # events of a batch never acknowledged (must stay 0)


class Load:
    """`senders` threads posting `batch`-event batches to `url` until `stop()`."""

    def __init__(
        self,
        url: str,
        token: str,
        ads: list[int],
        *,
        day: datetime,
        senders: int = 2,
        batch: int = 1000,
    ) -> None:
        self.url, self.token, self.ads = url, token, ads
        self.day, self.senders, self.batch = day, senders, batch
        self.answers: list[Answer] = []
        self.tally = Tally()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._send_loop, args=(i,), daemon=True) for i in range(senders)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _events(self, sender: int, number: int, rng: random.Random) -> list[dict[str, Any]]:
        events = []
        for k in range(self.batch):
            # Spread over 20 hours of one UTC day, so the events fill many billing hours.
            offset = ((number * self.batch + k) * 7919 + sender * 3607) % 72_000
            click = rng.random() < 0.05
            events.append(
                {
                    "id": f"s{sender}-{number}-{k}",
                    "type": "CLICK" if click else "IMPRESSION",
                    "adId": rng.choice(self.ads),
                    "costMicros": str(rng.randint(200_000, 900_000) if click else 2_500),
                    "occurredAt": (self.day + timedelta(seconds=offset)).isoformat(),
                }
            )
        return events

    def _send_loop(self, sender: int) -> None:
        rng = random.Random(sender)
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
            number = 0
            while not self._stop.is_set():
                events = self._events(sender, number, rng)
                body = orjson.dumps(events)
                report = self._until_acknowledged(client, body, resend=False)
                if report is None:
                    with self._lock:
                        self.tally.abandoned += len(events)
                    return
                with self._lock:
                    self.tally.sent_events += len(events)
                    self.tally.rejected += report["rejected"]
                    self.tally.acknowledged.update(e["id"] for e in events)
                if number % RESEND_EVERY == RESEND_EVERY - 1:
                    again = self._until_acknowledged(client, body, resend=True)
                    if again is None:
                        return
                    with self._lock:
                        self.tally.resent_events += len(events)
                        self.tally.resent_reported_duplicate += again["duplicates"]
                number += 1

    def _until_acknowledged(
        self, client: httpx.Client, body: bytes, *, resend: bool
    ) -> dict[str, Any] | None:
        """Post until 200, even once the drill is stopping: a batch answered 503 may have
        been stored, so it is only done when acknowledged. None: still not after
        GIVE_UP_SECONDS (the drill then reports it)."""
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            try:
                response = client.post("/v1/events", content=body)
            except httpx.TransportError:
                self._record(0, None, resend)
                time.sleep(RETRY_CAP_SECONDS)
                continue
            self._record(response.status_code, response.headers.get("retry-after"), resend)
            if response.status_code == 200:
                report: dict[str, Any] = response.json()
                return report
            wait = float(response.headers.get("retry-after") or RETRY_CAP_SECONDS)
            time.sleep(min(wait, RETRY_CAP_SECONDS))
        return None

    def _record(self, status: int, retry_after: str | None, resend: bool) -> None:
        answer = Answer(time.monotonic(), status, retry_after, resend)
        with self._lock:
            self.answers.append(answer)
