"""Reading invoice files: sniff the content, refuse what cannot be read honestly, parse the rest."""

from agents.ap.ingest.reader import IngestLimits, read_invoice

__all__ = ["IngestLimits", "read_invoice"]
