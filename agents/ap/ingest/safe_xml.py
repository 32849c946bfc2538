"""XML parsing that refuses DTDs, entity declarations and external references (XXE, billion laughs)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from agents.ap.invoice import IngestionRejected


def parse_xml(data: bytes, path: str) -> Element:
    """Parse untrusted XML; a DTD or entity declaration is refused, never expanded."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise IngestionRejected(
            "unsupported_format",
            path,
            f"XML with a DTD or entity declarations is refused ({type(error).__name__})",
        ) from error
    except ParseError as error:
        raise IngestionRejected("corrupt", path, f"XML is not well-formed: {error}") from error
