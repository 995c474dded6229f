"""Measuring a simulated run: pacing quality, traffic capacity, targets, reports."""
