"""Where the simulated market's pacing runs: in memory, or on the real services."""
