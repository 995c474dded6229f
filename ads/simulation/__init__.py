"""The marketplace simulator: replay a day of ad traffic and measure how well campaigns pace.

Pure core (no database): `scenario` (the TOML file and its defaults), `population`
(campaigns drawn from published distributions), `traffic` (opportunities per minute),
`auction` (second price, CPM and CPC), `strategies` and `mystique` (pacing strategies
behind one interface), `market` (the minute-by-minute loop on a simulated clock),
`metrics` (utilization, overdelivery, pacing error...). `report` writes the table, JSON,
PNG and HTML. The loop talks to pacing through `pacing_backend.PacingBackend`:
in memory, or `real_stack.RealStack`, the real campaign, ingestion and pacing services
on a database, billed at the end by `real_billing` (and running a pacing experiment
through `ads.experiments` when asked); `runner` picks the backend per strategy.
"""
