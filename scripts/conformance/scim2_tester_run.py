"""Runs scim2-tester's every check (User and Group) against a SCIM base URL.

    python scim2_tester_run.py BASE_URL TOKEN

Prints one line per check and a closing count; exits 1 when a check fails.

scim2-tester builds its models from the server's /Schemas and fills every
attribute with a random value: a `canonicalValues` entry where the schema
publishes some, else a random string (a UUID). RFC 7643 has no way to say that
a string attribute takes a phone number, and Amazon Connect takes only E.164
numbers for a mobile and a desk phone (its API's pattern `\\+[1-9]\\d{1,14}`),
so this runner tells the tester that one fact before the checks: the two
phone-number attributes get E.164 examples, as scim2-tester itself does for
emails. Nothing else is adjusted: every other value is the tester's own.
"""

import sys
from collections import Counter

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

# Fictional numbers (555-01xx), valid E.164 for Connect and for libphonenumber.
PHONE_NUMBERS = ["+14155550100", "+12065550142", "+13125550187", "+16175550123"]

# (model name, field name) of the attributes that hold phone numbers.
PHONE_FIELDS = {("AmazonConnectUser", "desk_phone_number"), ("PhoneNumbers", "value")}


def phone_fields(models):
    """Yield the pydantic FieldInfo of every phone-number attribute, sub-attributes included."""
    seen = set()
    stack = list(models)
    while stack:
        model = stack.pop()
        if model in seen or not hasattr(model, "model_fields"):
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            if (model.__name__, name) in PHONE_FIELDS:
                yield field
            for arg in getattr(field.annotation, "__args__", ()) or ():
                stack.extend(getattr(arg, "__args__", ()) or (arg,))
            stack.append(field.annotation)


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    client = SyncSCIMClient(
        Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    )
    client.discover()
    told = 0
    for field in phone_fields(client.provider.models):
        field.examples = PHONE_NUMBERS
        told += 1
    print(f"phone-number attributes given E.164 examples: {told}")

    results = check_server(client)
    bad = {Status.ERROR, Status.CRITICAL}
    for r in results:
        mark = "FAIL" if r.status in bad else r.status.name
        print(f"{mark:10} {r.resource_type or '-':6} {r.title}: {r.reason or ''}")
    counts = Counter(r.status.name for r in results)
    failed = sum(1 for r in results if r.status in bad)
    print(f"scim2-tester: {len(results) - failed} passed, {failed} failed ({dict(counts)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
