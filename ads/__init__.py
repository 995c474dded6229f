"""adsbackend: campaigns and budgets, spend ingestion, budget pacing and billing."""
