"""The SAP Gateway error body the SAP mock answers with.

``{"error": {"code", "message": {"lang", "value"}, "innererror": {...}}}`` as Gateway writes it for
OData v2 services, the inner error naming the service, a transaction id, the time and the
resolution hints (the Gateway error log, SAP Note 1797736).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

__all__ = ["DEFAULT_CODE", "gateway_error_body"]

DEFAULT_CODE = "/IWBEP/CM_MGW_RT/000"


def gateway_error_body(message: str, code: str | None, service_id: str) -> dict[str, Any]:
    """The body of a Gateway error for `service_id` (`code` None: Gateway's generic runtime code)."""
    now = datetime.now(UTC)
    inner = {
        "application": {
            "component_id": "MM-IV",
            "service_namespace": "/SAP/",
            "service_id": service_id,
            "service_version": "0001",
        },
        "transactionid": uuid.uuid4().hex.upper(),
        "timestamp": now.strftime("%Y%m%d%H%M%S.%f")[:21],
        "Error_Resolution": {
            "SAP_Transaction": 'For backend administrators: use ADT feed reader "SAP Gateway Error Log"',
            "SAP_Note": "See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)",
        },
        "errordetails": [
            {
                "code": code or DEFAULT_CODE,
                "message": message,
                "propertyref": "",
                "severity": "error",
                "target": "",
            }
        ],
    }
    return {
        "error": {
            "code": code or DEFAULT_CODE,
            "message": {"lang": "en", "value": message},
            "innererror": inner,
        }
    }
