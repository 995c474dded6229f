"""Spend ingestion: delivery events from the ad server, recorded once, and spend counters."""
