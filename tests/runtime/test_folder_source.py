"""FolderSource: complete files only, done/failed with a reason, a restart resumes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from opspack.runtime.sources import FolderSource, Source, SourceConfigurationError

INVOICES = Path(__file__).resolve().parents[2] / "fixtures" / "invoices" / "samples"


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def _drop(folder: Path, name: str, content: bytes, *, age: float = 60) -> Path:
    path = folder / name
    path.write_bytes(content)
    _age(path, age)
    return path


def test_is_a_source_and_keys_files_by_name_and_content(tmp_path: Path) -> None:
    pdf = (INVOICES / "0005-us_gross.pdf").read_bytes()
    _drop(tmp_path, "inv-1.pdf", pdf)
    source = FolderSource("ap-drop", tmp_path)
    assert isinstance(source, Source)
    items, cursor = source.poll(None)
    assert cursor is None
    [item] = items
    assert item.key == f"inv-1.pdf:{hashlib.sha256(pdf).hexdigest()}"
    assert (item.source, item.kind, item.filename, item.payload) == ("ap-drop", "document", "inv-1.pdf", pdf)
    assert item.metadata["size"] == len(pdf)


def test_partial_and_foreign_files_wait_or_are_ignored(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    source = FolderSource("ap-drop", tmp_path, clock=lambda: clock[0])
    growing = tmp_path / "big.pdf"
    growing.write_bytes(b"%PDF-1.7 first half")
    os.utime(growing, (clock[0], clock[0]))
    _drop(tmp_path, "notes.docx", b"not an invoice")
    _drop(tmp_path, "upload.pdf.part", b"%PDF partial")
    _drop(tmp_path, ".hidden.pdf", b"%PDF hidden")
    (tmp_path / "done").mkdir()
    _drop(tmp_path / "done", "old.pdf", b"%PDF settled long ago")
    assert source.poll(None) == ([], None)  # fresh and never seen before: maybe still being written
    with growing.open("ab") as handle:
        handle.write(b" second half")
    os.utime(growing, (clock[0] + 1, clock[0] + 1))
    clock[0] += 1
    assert source.poll(None) == ([], None)  # it grew since the last poll
    clock[0] += 1
    items, _ = source.poll(None)  # unchanged between two polls: complete
    assert [i.filename for i in items] == ["big.pdf"]
    assert items[0].payload == b"%PDF-1.7 first half second half"


def test_settle_moves_to_done_or_failed_with_a_reason(tmp_path: Path) -> None:
    _drop(tmp_path, "good.pdf", b"%PDF good")
    _drop(tmp_path, "bad.xml", b"<Invoice")
    source = FolderSource("ap-drop", tmp_path)
    items, _ = source.poll(None)
    assert source.poll(None) == ([], None)  # handed out, not settled: not handed out twice
    by_name = {i.filename: i for i in items}
    source.settle(by_name["good.pdf"], ok=True, reason="posted as document 5100000001")
    source.settle(by_name["bad.xml"], ok=False, reason="unreadable XML: no closing tag")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done", "failed"]
    assert (tmp_path / "done" / "good.pdf").read_bytes() == b"%PDF good"
    assert "posted as document 5100000001" in (tmp_path / "done" / "good.pdf.reason.txt").read_text()
    reason = (tmp_path / "failed" / "bad.xml.reason.txt").read_text()
    assert reason.startswith("failed at ") and "unreadable XML: no closing tag" in reason
    _drop(tmp_path, "good.pdf", b"%PDF good again")  # the same name again keeps both files
    [again], _ = source.poll(None)
    source.settle(again, ok=True, reason="second copy")
    assert (tmp_path / "done" / "good.1.pdf").read_bytes() == b"%PDF good again"


def test_a_restart_resumes_what_was_left_unsettled(tmp_path: Path) -> None:
    for n in range(3):
        _drop(tmp_path, f"inv-{n}.pdf", f"%PDF {n}".encode())
    first = FolderSource("ap-drop", tmp_path)
    items, _ = first.poll(None)
    first.settle(items[0], ok=True, reason="done before the crash")
    restarted = FolderSource("ap-drop", tmp_path)  # the process died with two items in hand
    again, _ = restarted.poll(None)
    assert [i.key for i in again] == [i.key for i in items[1:]]


def test_a_file_changed_after_reading_is_left_for_the_next_poll(tmp_path: Path) -> None:
    path = _drop(tmp_path, "inv.pdf", b"%PDF v1")
    source = FolderSource("ap-drop", tmp_path)
    [item], _ = source.poll(None)
    path.write_bytes(b"%PDF v2 corrected")
    _age(path, 60)
    source.settle(item, ok=True, reason="v1 posted")
    assert path.exists() and not (tmp_path / "done").exists()
    [corrected], _ = source.poll(None)
    assert corrected.payload == b"%PDF v2 corrected" and corrected.key != item.key


def test_a_missing_folder_is_a_clear_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigurationError, match="does not exist"):
        FolderSource("ap-drop", tmp_path / "nowhere").poll(None)
    with pytest.raises(SourceConfigurationError, match="pattern"):
        FolderSource("ap-drop", tmp_path, patterns=())


def test_an_unreadable_file_is_skipped_and_the_rest_still_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _drop(tmp_path, "a-locked.pdf", b"%PDF locked")
    _drop(tmp_path, "b-fine.pdf", b"%PDF fine")
    real_read = Path.read_bytes

    def read(path: Path) -> bytes:
        if path.name == "a-locked.pdf":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read)
    items, _ = FolderSource("ap-drop", tmp_path).poll(None)
    assert [i.filename for i in items] == ["b-fine.pdf"]
    assert "cannot read" in caplog.text and "a-locked.pdf" in caplog.text
