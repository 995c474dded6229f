"""Pacing strategies behind one interface, so one market can be replayed under each."""
