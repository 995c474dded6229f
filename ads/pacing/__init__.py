"""Budget pacing: each tick, turn budgets, spend and traffic into throttle rates and bid caps.

`domain/` is the pure engine (traffic profiles, the target curve, the controller and its
overdelivery guard, what it remembers between ticks); `tick/` is one shard's tick as
load (bulk reads) → decide (pure) → store (bulk writes); `experiments/` assigns
campaigns to the arms of pacing A/B tests; `service.py` runs a tick and serves the
decisions to the APIs.
"""
