"""Billing: hourly aggregation, day close, the append-only ledger, invoices, exports."""
