"""File formats (README, "Your own data: the dataset contract").

Benign variants are accepted, the rest refused with a helpful message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from analysis.data import load_dataset, validate_dir
from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


def errors(problems):
    """The errors only: the mini fixture's two missing-measurement warnings (an empty sex, an empty
    adverse_event_grade) are in every copy of it."""
    return [p for p in problems if not p.is_warning]
FILES = ["patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "lesions.csv"]




def only(problems):
    problems = errors(problems)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# ----------------------------------------------------------------------------- benign variants

def test_utf8_with_byte_order_mark_is_accepted(ds):
    for f in FILES:
        (ds / f).write_bytes(b"\xef\xbb\xbf" + (ds / f).read_bytes())
    assert errors(validate_dir(ds)) == []
    assert list(load_dataset(ds).patients.columns)[0] == "patient_id"


def test_crlf_line_ends_are_accepted_and_lines_still_counted(ds):
    for f in FILES:
        (ds / f).write_bytes((ds / f).read_bytes().replace(b"\n", b"\r\n"))
    assert errors(validate_dir(ds)) == []
    text = (ds / "imaging.csv").read_bytes().replace(b"S02,77,MRI,41.2", b"S02,77,MRI,x41.2")
    (ds / "imaging.csv").write_bytes(text)
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("imaging.csv", 7, "tumor_volume_cm3")


def _reorder(path: Path, order) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    idx = order(list(range(len(rows[0]))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[i] for i in idx] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def test_columns_in_another_order_are_accepted(ds):
    for f in FILES:
        _reorder(ds / f, lambda ix: ix[::-1])
    assert errors(validate_dir(ds)) == []
    loaded = load_dataset(ds)
    assert loaded.imaging.loc[0, "tumor_volume_cm3"] == 212.4  # imaging.csv line 2, read by name


def test_extra_columns_are_accepted_and_kept(ds):
    for f in FILES:
        lines = (ds / f).read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",site_note"] + [x + ",n" + str(i) for i, x in enumerate(lines[1:])]
        (ds / f).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert errors(validate_dir(ds)) == []
    loaded = load_dataset(ds)
    assert loaded.patients["site_note"].tolist()[:2] == ["n0", "n1"]
    assert list(loaded.patients.columns)[-1] == "site_note"


def test_all_benign_variants_at_once_are_accepted(ds):
    for f in FILES:
        _reorder(ds / f, lambda ix: ix[1:] + ix[:1])
        lines = (ds / f).read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",extra"] + [x + ",1" for x in lines[1:]]
        (ds / f).write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    assert errors(validate_dir(ds)) == []


def test_quoted_values_and_trailing_blank_lines_are_accepted(ds):
    text = (ds / "patients.csv").read_text(encoding="utf-8")
    text = text.replace("S01,1,immediate", '"S01",1,"immediate"') + "\n\n"
    (ds / "patients.csv").write_text(text, encoding="utf-8")
    assert errors(validate_dir(ds)) == []


# ----------------------------------------------------------------------------- refused, with advice

def test_semicolon_separated_file_with_decimal_commas_is_explained(ds):
    text = (ds / "imaging.csv").read_text(encoding="utf-8")
    euro = "\n".join(line.replace(",", ";").replace(".", ",") for line in text.splitlines()) + "\n"
    (ds / "imaging.csv").write_text(euro, encoding="utf-8")
    p = only(validate_dir(ds))
    assert p.file == "imaging.csv"
    assert p.message == ("looks like a semicolon-separated file with decimal commas (European Excel export); "
                         "save as CSV with commas and a dot decimal separator")


def test_semicolon_separated_file_without_decimals_is_explained(ds):
    text = (ds / "progression.csv").read_text(encoding="utf-8")
    (ds / "progression.csv").write_text(text.replace(",", ";"), encoding="utf-8")
    p = only(validate_dir(ds))
    assert p.file == "progression.csv" and "semicolon-separated" in p.message


def test_tab_separated_file_is_explained(ds):
    text = (ds / "progression.csv").read_text(encoding="utf-8")
    (ds / "progression.csv").write_text(text.replace(",", "\t"), encoding="utf-8")
    p = only(validate_dir(ds))
    assert "tab-separated" in p.message


def test_windows_1251_file_is_named_with_a_conversion_hint(ds):
    text = (ds / "patients.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] += ",комментарий"
    lines[1:] = [x + ",нет данных" for x in lines[1:]]
    (ds / "patients.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1251"))
    p = only(validate_dir(ds))
    assert (p.file, p.line) == ("patients.csv", 1)  # the first non-UTF-8 byte is in the header
    assert "cp1251" in p.message and "iconv -f cp1251 -t UTF-8" in p.message


def test_latin1_file_is_named_with_a_conversion_hint(ds):
    lines = (ds / "procedures.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("irinotecan", "irinotécan")  # line 4
    (ds / "procedures.csv").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    p = only(validate_dir(ds))
    assert (p.file, p.line) == ("procedures.csv", 4)
    assert "latin-1" in p.message and "UTF-8" in p.message


def test_utf16_file_is_explained(ds):
    text = (ds / "progression.csv").read_text(encoding="utf-8")
    (ds / "progression.csv").write_bytes(text.encode("utf-16"))
    p = only(validate_dir(ds))
    assert "UTF-16" in p.message


def test_excel_workbook_renamed_to_csv_is_explained(ds):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    (ds / "patients.csv").write_bytes(buf.getvalue())
    p = only(validate_dir(ds))
    assert p.file == "patients.csv"
    assert ".xlsx" in p.message and "CSV UTF-8" in p.message


def test_binary_file_is_explained(ds):
    (ds / "imaging.csv").write_bytes(bytes(range(256)) * 4)
    p = only(validate_dir(ds))
    assert "binary" in p.message


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b"   \r\n"])
def test_empty_file_is_explained(ds, content):
    (ds / "progression.csv").write_bytes(content)
    p = only(validate_dir(ds))
    assert p.file == "progression.csv" and "empty" in p.message
