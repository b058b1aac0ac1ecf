"""How far an import raises the bot process's resident memory above idle.

Run as its own process, so that nothing else it did counts:
`python -m tests.support.import_memory FILE...` imports each file as the bot does (read in
a child process, saved a batch at a time) and prints one JSON line per file: the outcome
(the refusal's catalog key, or "imported"), the peak resident memory over idle, in MB,
of this process, and the largest peak of the children that read the files so far. Linux
only: it reads and resets /proc/self's peak.
"""

import asyncio
import gc
import json
import resource
import sys
import tempfile
from pathlib import Path

from bot.import_process import read_apart
from bot.imports import ImportFileError
from bot.runtime import Runtime
from bot.services import imports
from tests.conftest import FakeClock, make_settings
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes

MB = 1024 * 1024


def _status(field: str) -> int:
    """A /proc/self/status figure (kB), in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM back to the current resident size


async def _import(runtime: Runtime, source: Path, folder: Path) -> str:
    settings = runtime.settings
    try:
        parsed = await asyncio.to_thread(
            read_apart, source, source.name, runtime.geography, runtime.today(),
            folder / f"{source.name}.checked", limits=settings.import_limits,
            process=settings.import_process)
    except ImportFileError as error:
        return error.key
    await imports.import_list(runtime.db, None, parsed, file_name=source.name,
                              now=runtime.now())
    return "imported"


async def measure(sources: list[Path]) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runtime = await Runtime.start(make_settings(folder), clock=FakeClock())
        try:
            warm = folder / "warm.csv"  # every module loaded before idle is taken
            warm.write_bytes(csv_bytes(THAI_HEADER, ROWS))
            await _import(runtime, warm, folder)
            figures = []
            for source in sources:
                gc.collect()
                idle = _status("VmRSS")
                _reset_peak()
                outcome = await _import(runtime, source, folder)
                figures.append({"file": source.name, "outcome": outcome,
                                "peak_over_idle_mb": round((_status("VmHWM") - idle) / MB, 1),
                                "largest_child_mb": round(resource.getrusage(
                                    resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)})
        finally:
            await runtime.close()
    return figures


if __name__ == "__main__":
    for figure in asyncio.run(measure([Path(arg) for arg in sys.argv[1:]])):
        print(json.dumps(figure))
