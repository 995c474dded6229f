"""The precision of a published throttle rate: significant digits, never above the decision.

Rates run from the floor of 10⁻⁶ (`ControllerConfig.min_rate`) to 1, six orders of
magnitude. A fixed number of decimals cannot serve them all: four decimals, what was
published before, turn every rate below 10⁻⁴ into 0 (a stop) and one of 1.5 x 10⁻⁴ into
10⁻⁴, a third less traffic than decided. So a rate is published with
`SIGNIFICANT_DIGITS` significant digits, floored: within 0.1% of the decision at any
magnitude, never above it (the overdelivery guard's bound holds for the published rate
too), and stable, so that the ETag of `GET /v1/pacing` does not move on noise below the
precision.
"""

from __future__ import annotations

import math

SIGNIFICANT_DIGITS = 4


def published_rate(rate: float) -> float:
    """`rate` floored to `SIGNIFICANT_DIGITS` significant digits (0 and 1 stay exact).

    A decision that is a short decimal (10⁻⁶, 1.5 x 10⁻⁴) is published as itself, not
    one step below it, though its binary value is a hair below the decimal.
    """
    if not rate > 0.0:
        return 0.0
    if rate >= 1.0:
        return 1.0
    if rate < _TINY:
        return 0.0  # far below any floor: nothing to publish but a stop
    scale = 10.0 ** (SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(rate)))
    steps = math.floor(rate * scale)
    # The product and the quotient are rounded floats: one step either way to land on
    # the largest step not above the rate.
    if (steps + 1) / scale <= rate:
        steps += 1
    elif steps / scale > rate:
        steps -= 1
    return steps / scale


_TINY = 1e-290
