"""Budget pacing: pure rules that turn budgets, spend and traffic into throttle rates.

`profile` (traffic shape by local hour), `curve` (the day's target spend curve),
`budget` (budget rules, lifetime allowance), `controller` (the per-tick throttle
controller) and `state` (what it remembers between ticks, JSON-safe). No I/O here:
the service and the workers wire it up.
"""
