"""No file, however hostile, raises the bot's memory: each is imported, as the bot does, in
a process of its own that reports its peak resident memory over idle (`ru_maxrss` cannot
be reset, /proc/self's peak can)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handlers.test_imports import far_away_cell
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, zip_bomb

# The bot's own peak over idle may grow by this much at most, whatever the file.
BOUND_MB = 30


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux's /proc only")
def test_hostile_files_are_refused_without_raising_the_bots_memory(tmp_path: Path) -> None:
    files = {
        "far.xlsx": far_away_cell(),
        "bomb.xlsx": zip_bomb(150),
        "long.csv": csv_bytes(THAI_HEADER, [["OBEC-1", "x" * 200_000]]),
        "newlines.csv": csv_bytes(THAI_HEADER, ROWS) + b"\n" * 20 * 1024 * 1024,
        "gaps.csv": csv_bytes(THAI_HEADER, ROWS[:2]) + (b"\n" * 999 + b"OBEC-9,x\n") * 300,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    measured = subprocess.run(
        [sys.executable, "-m", "tests.support.import_memory",
         *(str(tmp_path / name) for name in files)],
        check=True, capture_output=True, text=True).stdout
    figures = {figure["file"]: figure for figure in map(json.loads, measured.splitlines())}

    assert {name: figures[name]["outcome"] for name in files} == {
        "far.xlsx": "import-error-too-complex", "bomb.xlsx": "import-error-packed-too-tight",
        "long.csv": "import-error-cell-too-long", "newlines.csv": "imported",
        "gaps.csv": "import-error-too-many-rows"}
    for name in files:
        assert figures[name]["peak_over_idle_mb"] < BOUND_MB, figures[name]
