"""Streaming spend CSV in and out: batches of `SpendRecord`s, never the whole file in memory.

Columns are named by the caller (ERP extracts never agree on headers). A file that is empty,
lacks a named column, names a column twice (a reader would silently keep only the last one), or
is not UTF-8 raises `SpendInputError` naming the file and the problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from agents.procurement.csv_header import check_unique_columns
from agents.procurement.errors import SpendInputError
from agents.procurement.spend_classifier import SpendRecord, SpendResult

OUTPUT_COLUMNS = ("code", "title", "confidence", "method", "alternatives")
"""Columns the classifier appends to every input row."""


@dataclass(frozen=True)
class SpendColumns:
    """Which input column holds which field; only `description` is required to exist."""

    description: str = "description"
    vendor: str | None = "vendor"
    amount: str | None = "amount"
    gl_account: str | None = "gl_account"
    cost_centre: str | None = "cost_centre"
    line_id: str | None = "line_id"


class SpendReader:
    """Reads a spend CSV in batches; `header` is known after opening."""

    def __init__(self, path: str | Path, columns: SpendColumns, *, batch_size: int = 20_000) -> None:
        self.path, self.columns, self.batch_size = Path(path), columns, batch_size
        self.header: list[str] = []
        self.bytes_total = 0

    def _check_header(self, header: list[str]) -> None:
        if not header:
            raise SpendInputError(f"{self.path}: empty file, expected a header row")
        check_unique_columns(self.path, header)
        c = self.columns
        missing = [c.description] if c.description not in header else []
        defaults = SpendColumns()
        for name, default in (
            (c.vendor, defaults.vendor),
            (c.amount, defaults.amount),
            (c.gl_account, defaults.gl_account),
            (c.cost_centre, defaults.cost_centre),
            (c.line_id, defaults.line_id),
        ):
            if name is not None and name != default and name not in header:
                missing.append(name)  # a column the user named explicitly must exist; defaults may be absent
        if missing:
            raise SpendInputError(
                f"{self.path}: missing column(s) {', '.join(missing)} (found {', '.join(header)})"
            )

    def batches(self) -> Iterator[tuple[list[dict[str, str]], list[SpendRecord], int]]:
        """(raw rows, records, bytes read so far) per batch."""
        c = self.columns
        try:
            self.bytes_total = self.path.stat().st_size
            with (
                self.path.open("rb") as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle,
            ):
                reader = csv.DictReader(handle)
                self.header = [h for h in reader.fieldnames or []]
                self._check_header(self.header)
                rows: list[dict[str, str]] = []
                records: list[SpendRecord] = []
                for number, row in enumerate(reader, start=1):
                    if None in row:
                        raise SpendInputError(f"{self.path}: row {number + 1}: more fields than the header")
                    records.append(
                        SpendRecord(
                            row=number,
                            line_id=(row.get(c.line_id) if c.line_id else None) or str(number),
                            description=row[c.description] or "",
                            vendor=(row.get(c.vendor) or "") if c.vendor else "",
                            amount=(row.get(c.amount) or "") if c.amount else "",
                            gl_account=(row.get(c.gl_account) or "") if c.gl_account else "",
                            cost_centre=(row.get(c.cost_centre) or "") if c.cost_centre else "",
                        )
                    )
                    rows.append(row)
                    if len(records) >= self.batch_size:
                        yield rows, records, raw.tell()
                        rows, records = [], []
                if records:
                    yield rows, records, self.bytes_total
        except UnicodeDecodeError as exc:
            raise SpendInputError(f"{self.path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except csv.Error as exc:
            raise SpendInputError(f"{self.path}: malformed CSV: {exc}") from None
        except OSError as exc:
            raise SpendInputError(f"{self.path}: cannot read: {exc.strerror or exc}") from None


class SpendWriter:
    """Writes input rows with the classification columns appended."""

    def __init__(self, handle: IO[str], header: list[str]) -> None:
        self.fields = [h for h in header if h not in OUTPUT_COLUMNS] + list(OUTPUT_COLUMNS)
        self._writer = csv.DictWriter(handle, fieldnames=self.fields, extrasaction="ignore")
        self._writer.writeheader()

    def write(self, rows: list[dict[str, str]], results: list[SpendResult]) -> None:
        self._writer.writerows(
            {
                **row,
                "code": result.code,
                "title": result.title,
                "confidence": f"{result.confidence:.4f}",
                "method": result.method,
                "alternatives": result.alternatives_text(),
            }
            for row, result in zip(rows, results, strict=True)
        )
