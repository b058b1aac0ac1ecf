"""A throwaway PostgreSQL server for the tests, made from Debian's packages.

Nothing is assumed running: `PostgresServer.start()` runs `initdb` into a temporary folder
and `pg_ctl start` on it, listening on a unix socket in that folder and on 127.0.0.1 at a
free port, with trust authentication and durability switched off (the data is thrown away
at the end, so a crash has nothing to lose). `stop()` kills it and removes the folder.

PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` system
user, in a folder given to it.
"""

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

SUPERUSER = "panong"
# Several pools of the tests and the bot at once, each of a few connections.
MAX_CONNECTIONS = 200
# Small databases copy faster file by file than through the write-ahead log. Measured on
# 2026-12-02 (2 shared cores, loaded by other helpers; medians of 15, folder in /dev/shm): a
# copy of a database holding the migrated schema took 15 ms with FILE_COPY, 24 ms with
# WAL_LOG; an empty database 12 ms and 16 ms; applying the schema to an empty one, 56 ms.
TEMPLATE_STRATEGY = "FILE_COPY"
# The data lives in memory when /dev/shm has room for it (a few test databases of 8 MB
# each): on disk, each new database took 5 to 7 times longer, and varied more.
MEMORY_FOLDER = "/dev/shm"
MEMORY_FOLDER_MIN_FREE = 1 << 30
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": str(MAX_CONNECTIONS),
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(Exception):
    """The server could not be started; the message says why."""


@dataclass(frozen=True)
class Binaries:
    initdb: Path
    pg_ctl: Path
    version: str  # e.g. "15.18"


def find_binaries() -> Binaries:
    """Debian's newest `/usr/lib/postgresql/N/bin`, else `initdb` and `pg_ctl` on PATH."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                     key=lambda folder: _numeric(Path(folder).parent.name))
    candidates = [Path(folder) for folder in reversed(folders)]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        initdb, pg_ctl = folder / "initdb", folder / "pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            said = subprocess.run([str(pg_ctl), "--version"], capture_output=True, text=True,
                                  check=True).stdout
            found = re.search(r"\d+(\.\d+)*", said)
            return Binaries(initdb, pg_ctl, found.group(0) if found else said.strip())
    raise PostgresUnavailable(
        "initdb and pg_ctl not found (Debian package `postgresql`; `make test` installs it)")


def _numeric(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


class PostgresServer:
    def __init__(self, binaries: Binaries, folder: Path, port: int, run_as: str | None) -> None:
        self.binaries = binaries
        self.folder = folder
        self.port = port
        self._run_as = run_as

    @property
    def version(self) -> str:
        return self.binaries.version

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @classmethod
    def start(cls) -> "PostgresServer":
        """initdb and start a new server; PostgresUnavailable with the reason when it
        cannot."""
        binaries = find_binaries()
        run_as = _unprivileged_user()
        folder = Path(tempfile.mkdtemp(prefix="panong-pg-", dir=_scratch_parent()))
        server = cls(binaries, folder, _free_port(), run_as)
        try:
            if run_as:
                account = pwd.getpwnam(run_as)
                os.chown(folder, account.pw_uid, account.pw_gid)
            server._initdb()
            server._start()
        except BaseException:
            # A start that timed out may have left a server running: it goes too.
            with contextlib.suppress(PostgresUnavailable):
                server.stop()
            raise
        return server

    def _run(self, *command: str | Path) -> None:
        prefix = ["runuser", "-u", self._run_as, "--"] if self._run_as else []
        done = subprocess.run([*prefix, *map(str, command)], cwd=self.folder,
                              capture_output=True, text=True)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise PostgresUnavailable(
                f"{Path(str(command[0])).name} failed: {said[-1] if said else done.returncode}")

    def _initdb(self) -> None:
        # C collation: text sorts by its UTF-8 bytes, as SQLite's BINARY collation does.
        self._run(self.binaries.initdb, "--pgdata", self.data, "--username", SUPERUSER,
                  "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync",
                  "--no-instructions")
        lines = [f"{name} = '{value}'" for name, value in SETTINGS.items()]
        lines += ["listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{self.folder}'"]
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/support/postgres.py: a throwaway server\n")
            conf.write("\n".join(lines) + "\n")

    def _start(self) -> None:
        # Another process may take the free port between the choice and the start: try again.
        for attempt in range(3):
            try:
                self._run(self.binaries.pg_ctl, "start", "--pgdata", self.data, "--wait",
                          "--timeout", "60", "--log", self.folder / "server.log",
                          "-o", f"-p {self.port}")
                return
            except PostgresUnavailable:
                if attempt == 2 or "could not bind" not in self.log():
                    raise PostgresUnavailable(
                        f"pg_ctl start failed: {self.log_tail()}") from None
                self.port = _free_port()

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def log_tail(self) -> str:
        lines = self.log().strip().splitlines()
        return lines[-1] if lines else "no server log"

    def stop(self) -> None:
        """Kill the server (nothing of it is kept) and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(self.binaries.pg_ctl, "stop", "--pgdata", self.data,
                          "--mode", "immediate", "--wait")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    async def create_database(self, template: str | None = None) -> str:
        """The URL of a new empty database, or of a copy of the database at URL `template`
        (which nobody may be connected to meanwhile)."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        copy = f" TEMPLATE {_name(template)} STRATEGY {TEMPLATE_STRATEGY}" if template else ""
        await self._maintenance(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    async def drop_database(self, url: str) -> None:
        """Drop the database at `url`, closing whatever is still connected to it."""
        await self._maintenance(f"DROP DATABASE IF EXISTS {_name(url)} WITH (FORCE)")

    async def _maintenance(self, statement: str) -> None:
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(statement)
        finally:
            await conn.close()


def _name(url: str) -> str:
    """The database name of one of our URLs (made by `url`, so a plain identifier)."""
    return url.rsplit("/", 1)[1]


def _unprivileged_user() -> str | None:
    """None when we are not root; else Debian's `postgres` system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root and there is no `postgres` system user to run the server as "
            "(Debian's package `postgresql` creates it)") from None
    if not shutil.which("runuser"):
        raise PostgresUnavailable("running as root and `runuser` is missing (util-linux)")
    return "postgres"


def _scratch_parent() -> str | None:
    """/dev/shm when it is there with room to spare, else the usual temporary folder."""
    try:
        roomy = shutil.disk_usage(MEMORY_FOLDER).free >= MEMORY_FOLDER_MIN_FREE
    except OSError:
        return None
    return MEMORY_FOLDER if roomy and os.access(MEMORY_FOLDER, os.W_OK) else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

