"""GET /v1/pacing: every campaign's current decision, for the ad server to poll.

Compact JSON, ordered by campaign id: `{"campaigns": [{"id", "throttle", "status",
"version", "computedAt", "adGroups": {"<id>": effective throttle}, "maxChargeMicros",
"headroomMicros", "headroomUntil"}]}`.
`throttle` (and each ad group's) is the probability, from 0 to 1, that the campaign
enters an auction: a JSON number with four significant digits, floored, never above what
the pacing controller decided (`ads.pacing.domain.precision`). Rates run down to 10⁻⁶
(the controller's floor; campaigns with far more traffic than budget need 10⁻⁵ and
less), so expect exponent notation such as `1.234e-05`, and compare a coin in [0, 1)
against the number as a double: rounding it to a few decimals stops such a campaign.
`maxChargeMicros` is the budget-aware bid cap, a string of digits (campaign currency
micros) or null when uncapped: the largest single charge the campaign may incur until
the next poll. Cap the campaign's bids at it (CPM: bid / 1000 per impression at most
the cap; CPC: the CPC bid at most the cap, ranked by the capped bid x CTR); a
second-price charge never exceeds the capped bid.

`headroomMicros` (digits, or null: none) is the headroom under the hard cap: the most
the campaign may still spend on its local day as of `computedAt`, the hard cap (budget
plus its overdelivery allowance) less the spend ingested by then. Count against it
every charge of the campaign whose event POST /v1/events had not acknowledged by
`computedAt` (sent later, or not yet), cap the campaign's bids at what is left and
stop serving it at nothing left; the headroom is void after `headroomUntil` (the local
day's end). Spend then stays under the hard cap whatever the traffic does before the
next poll, and the pacing controller plans the last clicks of a day on that. (A click
counts when it happens: one on an impression served just before the headroom ran out
can still land beyond it.) A campaign absent
from the list has no decision yet: do not serve it. The strong ETag changes exactly
when a version does; send it back in `If-None-Match` to get 304 while nothing changed.

Every answer (304 included) carries a `Pacing-Cursor` header. `GET /v1/pacing?since=
<cursor>` answers only the campaigns whose decision changed after that cursor, and every
campaign still waiting for its first decision, as `{"campaigns": [...], "cursor": "..."}`
in the same entry shape: apply each entry over the one held (a higher `version` is
newer; an entry may come twice), keep the others, and poll next with the new cursor.
Take a full answer at start-up; a cursor from any earlier answer stays valid. A malformed
cursor is a 400 `INVALID_CURSOR`.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from ads.api.rest.service_auth import domain_error_response, service_principal
from ads.errors import DomainError
from ads.pacing.published import changed_decisions, parse_cursor, published_decisions


async def get_pacing(request: Request) -> Response:
    try:
        await service_principal(request)
        since = request.query_params.get("since")
        cursor = None if since is None else parse_cursor(since)
    except DomainError as exc:
        return domain_error_response(exc)
    if cursor is not None:
        return await _changes(request, cursor)
    tag = request.headers.get("if-none-match")
    async with request.app.state.sessions() as session:
        result = await session.run_sync(lambda s: published_decisions(s, if_none_match=tag))
    headers = {
        "ETag": result.etag,
        "Cache-Control": "no-cache",
        "Pacing-Cursor": str(result.cursor),
    }
    if result.campaigns is None:
        return Response(status_code=304, headers=headers)
    body = json.dumps({"campaigns": result.campaigns}, separators=(",", ":"))
    return Response(body, media_type="application/json", headers=headers)


async def _changes(request: Request, since: int) -> Response:
    async with request.app.state.sessions() as session:
        result = await session.run_sync(lambda s: changed_decisions(s, since=since))
    cursor = str(result.cursor)
    body = json.dumps({"campaigns": result.campaigns, "cursor": cursor}, separators=(",", ":"))
    headers = {"Cache-Control": "no-cache", "Pacing-Cursor": cursor}
    return Response(body, media_type="application/json", headers=headers)
