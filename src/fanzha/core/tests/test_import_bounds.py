"""Imports stay within bounded memory: a huge CSV is refused while it streams, not after it is all in memory."""

from __future__ import annotations

import tracemalloc

import pytest

from fanzha.core.imports import ImportFileError, read_sheet

MB = 1024 * 1024


def _peak_of(fn) -> tuple[int, Exception | None]:
    tracemalloc.start()
    err = None
    try:
        fn()
    except ImportFileError as e:
        err = e
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, err


RSS_PROBE = r"""
import resource, sys
import django
django.setup()
from fanzha.core.imports import ImportFileError, read_sheet
data = b"\xe5\xa7\x93\xe5\x90\x8d\n" + b"a\n" * 10_000_000
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_sheet(data, max_rows=200_000)
    print("accepted")
except ImportFileError as e:
    print("refused", e)
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_ten_million_one_character_rows_are_refused_within_150_mb(tmp_path):
    """A 20 MB CSV of 10 million one-character rows is refused at the row cap, the process growing < 150 MB."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fanzha.settings", "FANZHA_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", RSS_PROBE], env=env, capture_output=True, text=True, timeout=120)
    verdict, sizes = out.stdout.strip().splitlines()[-2:]
    assert verdict.startswith("refused") and "200000" in verdict, out.stdout + out.stderr
    before_kb, after_kb = map(int, sizes.split())
    assert (after_kb - before_kb) * 1024 < 150 * MB, f"grew {(after_kb - before_kb) / 1024:.0f} MB"


def test_trailing_blank_lines_hold_no_rows():
    """Blank lines after the data cost nothing: the rows read are the header and the data only."""
    data = "姓名,身份证号\n张三,1\n".encode() + b"\n" * 300_000
    peak, err = _peak_of(lambda: read_sheet(data, max_rows=200_000))
    assert err is None
    assert peak < 30 * MB, f"peak {peak / MB:.0f} MB"
    assert read_sheet(data, max_rows=10) == [["姓名", "身份证号"], ["张三", "1"]]


def test_blank_lines_between_rows_keep_row_numbers():
    """Blank lines between data rows keep their places, so reported row numbers are the file's."""
    rows = read_sheet("姓名\n张三\n\n\n李四\n".encode(), max_rows=10)
    assert [list(r) for r in rows] == [["姓名"], ["张三"], [], [], ["李四"]]


def test_blank_lines_cannot_pile_up_past_the_limit():
    """A file alternating data rows with long runs of blank lines is refused once the lines pass twice the cap."""
    data = ("姓名\n" + ("张三\n" + "\n" * 50) * 100).encode()
    with pytest.raises(ImportFileError):
        read_sheet(data, max_rows=20)
