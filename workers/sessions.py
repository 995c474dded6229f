"""A worker process's database sessions, its engine made on the first message.

Never at import or declare time: declaring actors must not connect anywhere, and one
process shares one engine (and its pool) among all its actors' threads.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ads.config import Settings
from ads.db import make_engine, session_factory


class WorkerSessions:
    """`sessions()` opens a session; `sessions.factory` is the sessionmaker itself."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._factory: sessionmaker[Session] | None = None

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = session_factory(make_engine(self.settings, pool_pre_ping=True))
        return self._factory

    def __call__(self) -> Session:
        return self.factory()
