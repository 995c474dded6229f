"""Advertisers: the tenants, with their currency, timezone and account spend limit."""
