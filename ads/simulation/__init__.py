"""The marketplace simulator behind `ads simulate`: replay days of ad traffic, measure pacing.

A development and evaluation tool: no part of the server, the workers or the other
areas imports it (an import contract keeps it so).

- `market/`: the world replayed. `scenario` (the TOML file and its defaults, bundled
  ones in `scenarios/`), `population` (campaigns drawn from published distributions),
  `book` (their local days in UTC), `traffic` (opportunities per minute), `auction`
  (second price, CPM and CPC), `eligible_shapes` (the traffic shape a campaign would
  learn), `loop` (the minute-by-minute market on a simulated clock) and `closed_loop`
  (one campaign alone against the controller, for the controller's own tests).
- `backends/`: where the loop's pacing runs. `memory` (the interface and an in-memory
  pacing service), `real_stack` (the real campaign, ingestion and pacing services on a
  database, the ad server reading decisions as `GET /v1/pacing` serves them) and
  `real_billing` (the billed ledger at the end).
- `strategies/`: pacers behind one interface. `base`, `reference` (no pacing, even
  spread), `production` (our controller), `mystique` (the published baseline).
- `evaluation/`: `quality` (utilization, overdelivery, pacing error...), `capacity`
  (which campaign-days have enough traffic), `targets` (the PASS/FAIL lines), `report`
  (table, JSON, PNG, HTML), `seeds` (one scenario over several seeds).
- `runner` runs a scenario under each strategy; `command` is the `ads simulate` use case.
"""
