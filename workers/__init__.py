"""Dramatiq workers: the broker factory, the actors of each area, and the scheduler."""
