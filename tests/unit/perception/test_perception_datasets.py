from __future__ import annotations

from pathlib import Path

import pytest

from agents.perception.datasets import load_labelled_csv, require_trainable, training_data_hash
from agents.perception.errors import DatasetError


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_reads_text_and_label_columns(tmp_path: Path) -> None:
    data = load_labelled_csv(
        _write(tmp_path / "a.csv", "id,text,label\n1,Reset my password,password_reset\n")
    )
    assert data.texts == ("Reset my password",)
    assert data.labels == ("password_reset",)


def test_custom_column_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "body,category\nlaptop broken,hardware\n")
    data = load_labelled_csv(path, text_column="body", label_column="category")
    assert data.labels == ("hardware",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,body,label\n1,x,y\n", "missing column(s) 'text'"),
        ("", "file is empty"),
        ("text,label\n", "header only"),
        ("text,label\n,hardware\n", "no usable rows (1 blank rows skipped)"),
        ("text,label\nhello,\n", "no usable rows (1 blank rows skipped)"),
        (b"text,label\nCaf\xe9 cr\xe8me,x\n", "not UTF-8"),
    ],
)
def test_bad_csv_gets_one_clear_error(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = _write(tmp_path / "bad.csv", content)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_labelled_csv(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        load_labelled_csv(tmp_path / "nope.csv")


def test_needs_two_labels(tmp_path: Path) -> None:
    data = load_labelled_csv(_write(tmp_path / "a.csv", "text,label\na,x\nb,x\n"))
    with pytest.raises(DatasetError, match="at least 2 labels"):
        require_trainable(data)


def test_training_hash_depends_on_content_and_order() -> None:
    base = training_data_hash(["a", "b"], ["x", "y"])
    assert base == training_data_hash(["a", "b"], ["x", "y"])
    assert base != training_data_hash(["b", "a"], ["y", "x"])
    assert base != training_data_hash(["a", "b"], ["x", "x"])
    # length-prefixing: moving a character between fields changes the hash
    assert training_data_hash(["ab"], ["c"]) != training_data_hash(["a"], ["bc"])


def test_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    # an export the way help-desk tools write them: a blank description, a ticket never
    # categorised, a row of only separators and a trailing blank line
    path = _write(
        tmp_path / "export.csv",
        "id,text,label\n"
        "1,Printer on floor 3 jams,hardware\n"
        "2,,hardware\n"
        "3,need new badge,\n"
        ",,\n"
        "5,  ,access\n"
        '6,"VPN drops every hour\nsince Monday",network\n'
        "\n",
    )
    data = load_labelled_csv(path)
    assert data.texts == ("Printer on floor 3 jams", "VPN drops every hour\nsince Monday")
    assert data.skipped.blank_text == 3
    assert data.skipped.blank_label == 1
    assert data.summary()["skipped"]["first_lines"] == [3, 4, 5, 6]


def test_rare_labels_are_trainable_and_reported(tmp_path: Path) -> None:
    rows = "".join(f"laptop screen {i} broken,hardware\n" for i in range(6))
    path = _write(tmp_path / "a.csv", "text,label\n" + rows + "salary slip missing,payroll\n")
    data = load_labelled_csv(path)
    require_trainable(data)  # a label with one example no longer fails the whole training
    assert data.rare_labels() == {"payroll": 1}
    assert data.summary()["rare_labels"] == {"payroll": 1}
