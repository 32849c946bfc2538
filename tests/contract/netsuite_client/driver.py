"""What a typical integration does with the PyPI ``netsuite`` client, run in the client's own venv.

Configured the way the client documents it, from ``NETSUITE_ACCOUNT``, ``NETSUITE_CONSUMER_KEY``,
``NETSUITE_CONSUMER_SECRET``, ``NETSUITE_TOKEN_ID`` and ``NETSUITE_TOKEN_SECRET`` (token-based
auth, HMAC-SHA256, realm = account). The client always calls
``https://<account>.suitetalk.api.netsuite.com``; where that host goes and which CA is trusted is
the environment's business (``HTTPS_PROXY``, ``SSL_CERT_FILE``), nothing here is patched.

Reads a vendor, creates a vendor bill (204 + Location) and reads it back expanded, pages through
a SuiteQL join, counts with SuiteQL, and collects the errors NetSuite answers for a missing record,
a bad query and a route the account does not serve. Prints one JSON document on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from netsuite import Config, NetSuite
from netsuite.exceptions import NetsuiteAPIRequestError

PAGE = 5
BILLS = (
    "SELECT t.id, t.tranid, v.companyname FROM transaction t JOIN vendor v ON t.entity = v.id "
    "WHERE t.type = 'VendBill' ORDER BY t.id"
)


async def _error(call: Any) -> dict[str, Any]:
    try:
        await call
    except NetsuiteAPIRequestError as exc:
        return {"status": exc.status_code, "body": json.loads(exc.response_text)}
    raise AssertionError("the call was expected to fail")


async def scenario(new_bill: dict[str, Any]) -> dict[str, Any]:
    rest = NetSuite(Config.from_env()).rest_api
    vendor = await rest.get("/record/v1/vendor/" + str(new_bill["entity"]["id"]))

    created = await rest.request("POST", "/record/v1/vendorBill", json=new_bill)
    location = created.headers.get("Location", "")
    bill = await rest.get(
        "/record/v1/vendorBill/" + location.rsplit("/", 1)[-1], params={"expandSubResources": "true"}
    )

    pages: list[list[dict[str, Any]]] = []
    offset, more = 0, True
    while more:
        page = await rest.suiteql(BILLS, limit=PAGE, offset=offset)
        pages.append([{k: v for k, v in row.items() if k != "links"} for row in page["items"]])
        offset, more = offset + PAGE, page["hasMore"]
    counted = await rest.suiteql("SELECT COUNT(*) AS n FROM transaction WHERE type = 'VendBill'")

    errors = {
        "missing_record": await _error(rest.get("/record/v1/vendorBill/999999999")),
        "bad_query": await _error(rest.suiteql("SELECT id FROM vendorbill")),  # bills live in transaction
        "unserved": await _error(rest.jsonschema("vendorBill")),
    }
    return {
        "vendor": {"id": vendor["id"], "companyName": vendor.get("companyName")},
        "created": {"status": created.status_code, "location": location, "body": created.text},
        "bill": bill,
        "pages": pages,
        "count": counted["items"][0]["n"],
        "errors": errors,
    }


def main() -> int:
    new_bill = json.loads(sys.stdin.read())
    json.dump(asyncio.run(scenario(new_bill)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
