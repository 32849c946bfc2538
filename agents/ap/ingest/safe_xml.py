"""XML parsing that refuses DTDs, entity declarations and external references (XXE, billion laughs),
and trees nested deeper than a cap (a 200,000-deep element chain is refused while it is parsed)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from agents.ap.invoice import IngestionRejected

DEFAULT_MAX_DEPTH = 100
"""UBL and CII invoices nest about ten elements deep; a hundred leaves ample room."""


class _TooDeep(Exception):
    """Raised from the tree builder as soon as an element opens deeper than the cap."""


class _DepthCappedBuilder(TreeBuilder):
    """A `TreeBuilder` that counts open elements and stops the parse past `max_depth`."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self.max_depth, self.depth = max_depth, 0

    def start(self, tag: Any, attrs: dict[Any, Any]) -> Element:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, path: str, max_depth: int = DEFAULT_MAX_DEPTH) -> Element:
    """Parse untrusted XML; a DTD or entity declaration is refused, never expanded, and a tree
    nested deeper than `max_depth` elements is refused ("oversized") before it is built."""
    parser = DefusedXMLParser(
        target=_DepthCappedBuilder(max_depth), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        root: Element = parser.close()
        return root
    except _TooDeep:
        raise IngestionRejected(
            "oversized", path, f"XML nesting exceeds the limit of {max_depth:,} levels"
        ) from None
    except DefusedXmlException as error:
        raise IngestionRejected(
            "unsupported_format",
            path,
            f"XML with a DTD or entity declarations is refused ({type(error).__name__})",
        ) from error
    except ParseError as error:
        raise IngestionRejected("corrupt", path, f"XML is not well-formed: {error}") from error
