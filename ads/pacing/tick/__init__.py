"""One shard's pacing tick: load (bulk reads), decide (pure), store (bulk writes)."""
