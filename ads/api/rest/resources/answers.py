"""The REST answer to a GraphQL result: every status a resource route can give, decided
in one place from what the GraphQL side reported.

- a request error (variables refused, no `path`) → 400; a field error → by its code
  (FORBIDDEN 403, NOT_FOUND 404, UNAUTHENTICATED 401, SERVICE_UNAVAILABLE 503,
  INTERNAL_SERVER_ERROR 500), else 400: an argument the resolver refused;
- a null on the way to the resource (a missing object, or another tenant's: the policy
  makes them the same) → 404, with one body whatever the cause;
- a payload's `userErrors`: NOT_FOUND 404, FORBIDDEN 403, STALE_VERSION 409 (412 when
  the version came as If-Match), anything else 422 with the errors keyed by field;
- a connection → `{"items": [...], "next": cursor-or-null}` (and `totalCount` when
  selected); anything else → the resource itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ads.api.rest.resources.declaration import RestRoute
from ads.api.rest.resources.inputs import not_found

ERROR_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "SERVICE_UNAVAILABLE": 503,
    "INTERNAL_SERVER_ERROR": 500,
}
#: When several errors disagree, the answer is the first of these that applies.
PRECEDENCE = (503, 500, 401, 403, 404, 412, 409, 422, 400)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    #: The resource's version, when it has one (it leads the ETag).
    version: int | None = None
    #: The cursor of the next page of a list.
    next: str | None = None

    @property
    def ok(self) -> bool:
        return self.status < 300


def error_body(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    """The error body of every REST endpoint (as `ads.api.rest.service_auth` answers)."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def answer(route: RestRoute, result: dict[str, Any], *, if_match: bool = False) -> Answer:
    errors = result.get("errors")
    if errors:
        return _errors(errors)
    value: Any = result.get("data")
    for depth, key in enumerate(route.resource):
        if value is None:
            return _not_found()
        if route.payload is not None and depth == len(route.payload):
            refused = value.get("userErrors")
            if refused:
                return _user_errors(refused, if_match=if_match)
        value = value[key]
    if value is None or value == {}:  # {}: a node of another type than the route's
        return _not_found()
    if route.connection:
        info = value["pageInfo"]
        cursor = info["endCursor"] if info["hasNextPage"] else None
        body: dict[str, Any] = {"items": value["nodes"], "next": cursor}
        if "totalCount" in value:
            body["totalCount"] = value["totalCount"]
        return Answer(200, body, next=cursor)
    status = 201 if route.method == "POST" else 200
    version = value.get("version") if isinstance(value, dict) else None
    return Answer(status, value, version=version if type(version) is int else None)


def _not_found() -> Answer:
    refused = not_found()
    return Answer(refused.status, error_body(refused.code, refused.message))


def _errors(errors: list[dict[str, Any]]) -> Answer:
    statuses = {_status_of(error) for error in errors}
    status = next(s for s in PRECEDENCE if s in statuses)
    if status == 404:
        return _not_found()
    shown = [{k: v for k, v in e.items() if k != "locations"} for e in errors]
    return Answer(status, {"errors": shown})


def _status_of(error: dict[str, Any]) -> int:
    code = (error.get("extensions") or {}).get("code")
    if code in ERROR_STATUS:
        return ERROR_STATUS[code]
    return 400


def _user_errors(refused: list[dict[str, Any]], *, if_match: bool) -> Answer:
    codes = {e["code"] for e in refused}
    if "NOT_FOUND" in codes:
        return _not_found()
    if "FORBIDDEN" in codes:
        first = next(e for e in refused if e["code"] == "FORBIDDEN")
        return Answer(403, error_body("FORBIDDEN", first["message"]))
    if "STALE_VERSION" in codes:
        first = next(e for e in refused if e["code"] == "STALE_VERSION")
        if if_match:
            return Answer(412, error_body("PRECONDITION_FAILED", first["message"]))
        return Answer(409, error_body("STALE_VERSION", first["message"]))
    fields: dict[str, list[dict[str, str]]] = {}
    errors = []
    for error in refused:
        path = error.get("field") or []
        key = ".".join(path[1:] if path[:1] == ["input"] else path)
        errors.append(
            {
                "message": error["message"],
                "extensions": {"code": error["code"], "field": key or None},
            }
        )
        if key:
            fields.setdefault(key, []).append({"code": error["code"], "message": error["message"]})
    return Answer(422, {"errors": errors, "fields": fields})
