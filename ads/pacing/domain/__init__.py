"""The pure pacing engine: no database, no framework, no broker."""
