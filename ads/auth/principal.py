"""Who is calling: the role and advertiser scope of an authenticated token (or the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ads.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    role: Role
    advertiser_ids: frozenset[int] = field(default_factory=frozenset)
    token_id: int | None = None

    @property
    def actor(self) -> str:
        """How audit entries name the caller."""
        return f"token:{self.token_id}" if self.token_id is not None else "cli"


#: Operators at the command line act as ADMIN; audit entries say "cli".
CLI_PRINCIPAL = Principal(role=Role.ADMIN)
