"""Read models for people that combine areas: what the dashboard draws (the pacing curve)."""
