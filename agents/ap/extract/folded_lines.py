"""Per-line memos of folded text: several readers of one document fold the same phrase (label
search, the value reader's neighbour checks, the totals block's line tests), so each line keeps the
folded text of its phrases in `TextLine.memo`, which lives and dies with the document's pages."""

from __future__ import annotations

from agents.ap.extract.page_text import TextLine
from agents.ap.extract.vocabulary import fold


def folded_phrases(line: TextLine) -> tuple[str, ...]:
    """`fold` of each phrase's text, in the line's order, computed once per line."""
    found: tuple[str, ...] | None = line.memo.get("folded")
    if found is None:
        found = line.memo["folded"] = tuple(fold(phrase.text) for phrase in line.phrases)
    return found
