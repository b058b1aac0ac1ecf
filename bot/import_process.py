"""Reading a list in a child process with a memory and a time limit, so that no file can take
the bot down: a zip bomb, a sheet whose one cell is a million rows away, or a reader's
own bug ends the child, never the bot, and the user is told the file cannot be read.

A spawned child (not forked: the bot's loop, threads and database connections stay behind)
reads the file from disk and writes the checked rows to disk (`bot.imports.read`); only
its progress and the counts come back through a pipe, so the bot never holds the file or
its rows. The caller waits in a worker thread, which also passes the progress on.
"""

import multiprocessing
import resource
import time
from collections.abc import Callable
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot import imports as lists
from bot.geography import Geography
from bot.imports import ImportFileError, Limits, ParsedList


class ProcessLimits(BaseModel):
    """What the child may use (settings `PANONG_IMPORT_MEMORY_MB`, `..._SECONDS`)."""

    model_config = ConfigDict(frozen=True)

    memory_mb: int  # address space, the interpreter and its libraries included
    seconds: float


def read_apart(source: Path, file_name: str, geography: Geography, today: date, out: Path, *,
               limits: Limits, process: ProcessLimits,
               progress: Callable[[int], None] | None = None) -> ParsedList:
    """`bot.imports.read` in a child process; blocks, so call it from a worker thread."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, daemon=True,
        args=(sending, process.memory_mb, source, file_name, geography, today, out, limits,
              lists.PROGRESS_EVERY))
    child.start()
    sending.close()  # so that the pipe ends when the child does
    deadline = time.monotonic() + process.seconds
    try:
        while True:
            if not receiving.poll(max(0.0, deadline - time.monotonic())):
                raise ImportFileError("too-slow", seconds=round(process.seconds))
            try:
                kind, value = receiving.recv()
            except EOFError:  # killed for the memory it wanted, or crashed
                raise ImportFileError("too-complex") from None
            if kind == "progress":
                if progress is not None:
                    progress(value)
            elif kind == "refused":
                reason, params = value
                raise ImportFileError(reason, **params)
            else:
                return ParsedList(**value)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiving.close()


def _child(sending: Connection, memory_mb: int, source: Path, file_name: str,
           geography: Geography, today: date, out: Path, limits: Limits,
           progress_every: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        parsed = lists.read(source, file_name, geography, today, out, limits=limits,
                            progress=lambda done: sending.send(("progress", done)),
                            progress_every=progress_every)
    except ImportFileError as error:
        sending.send(("refused", (error.reason, error.params)))
    except MemoryError:
        sending.send(("refused", ("too-complex", {})))
    else:
        sending.send(("done", parsed.model_dump()))
    finally:
        sending.close()
