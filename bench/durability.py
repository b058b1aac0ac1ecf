"""What a durable commit costs: `synchronous = FULL` (shipped) beside NORMAL.

With FULL, SQLite syncs the write-ahead log to disk at every commit, so a commit whose
answer was sent survives a power cut; with NORMAL it syncs only at checkpoints and a power
cut may take back the last commits. The figure is the time of one transaction as the
wizard makes it at every answer (a draft of about 1 KB written through), through Panong's
own `Database`, FULL and NORMAL taking turns in the same run so that both see the same
disk and the same load. The chat-load benchmark's `--durability` gives the cost in updates
per second and time to reply.

Run: `make bench`, or `.venv/bin/python -m bench.durability`.
"""

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from storage.conversations import USER_DATA
from storage.database import Database

COMMITS = 500  # per round and setting
ROUNDS = 4
DRAFT = json.dumps({"registration": {"given_name": "สมหญิง", "family_name": "ใจดี",
                                     "guardian_phone": "0812345678", "notes": "x" * 800}},
                   ensure_ascii=False)


async def commits(path: Path, synchronous: str) -> list[float]:
    async with Database(path) as db:
        await db.migrate()
        await db.writer.execute(f"PRAGMA synchronous = {synchronous}")
        times = []
        for n in range(COMMITS):
            started = time.perf_counter()
            async with db.unit_of_work() as uow:
                await uow.conversations.put_data(USER_DATA, {str(n % 50): DRAFT})
                await uow.commit()
            times.append(time.perf_counter() - started)
        return times


async def main() -> None:
    measured: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(ROUNDS):
            for synchronous in measured:
                measured[synchronous] += await commits(
                    Path(folder) / f"{synchronous}-{number}.db", synchronous)
    print(f"durability: {ROUNDS} rounds of {COMMITS} commits of a wizard draft each, "
          f"FULL and NORMAL taking turns")
    print(f"{'one commit':<20} {'FULL (shipped)':>15} {'NORMAL (anchor)':>16}")
    for label, figure in (("mean", statistics.mean),
                          ("p50", lambda t: statistics.quantiles(t, n=100)[49]),
                          ("p99", lambda t: statistics.quantiles(t, n=100)[98])):
        print(f"{label:<20} " + " ".join(
            f"{figure(times) * 1000:>{width}.2f} ms"
            for times, width in zip(measured.values(), (12, 13), strict=True)))


if __name__ == "__main__":
    asyncio.run(main())
