"""Schemathesis checks of connect-scim's own contract, loaded by
scripts/contract-tests.sh through SCHEMATHESIS_HOOKS: every 4xx (except a 304's
empty answer) is an RFC 7644 §3.12 SCIM error body whose `status` matches the
HTTP status, and every 429/503 carries Retry-After."""

import json

import schemathesis

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@schemathesis.check
def scim_error_bodies(ctx, response, case):
    status = response.status_code
    if status < 400:
        return None
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        raise AssertionError(f"{status} with a body that is not JSON: {response.content[:200]!r}")
    if not isinstance(body, dict) or SCIM_ERROR not in (body.get("schemas") or []):
        raise AssertionError(f"{status} without a SCIM error body: {body!r}"[:400])
    if body.get("status") != str(status):
        raise AssertionError(f"{status} whose body says status {body.get('status')!r}")
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/scim+json"):
        raise AssertionError(f"{status} served as {content_type!r}")
    if status in (429, 503) and not response.headers.get("retry-after"):
        raise AssertionError(f"{status} without Retry-After")
    return None
