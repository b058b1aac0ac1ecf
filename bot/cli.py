"""The `panong` command: run the bot, migrate, invite the first coordinator, back up, copy a
SQLite deployment into PostgreSQL."""

import argparse
import asyncio
import logging
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from pydantic import ValidationError

from bot import presenters, reports
from bot.config import (
    PROJECT_ENV_FILE,
    MissingEnvFile,
    Settings,
    env_file,
    production_configuration,
)
from bot.directory import DirectoryError, load_directory
from bot.domain.models import OrganisationKind, Role
from bot.errors import UnknownOrganisation
from bot.flows import admin
from bot.geography import Geography
from bot.i18n import translator
from bot.import_process import read_apart
from bot.imports import ImportFileError
from bot.routing import RoutingError
from bot.runtime import Runtime, system_clock
from bot.services import exports, imports, onboarding, summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, ScopeKind
from storage.bot_state import BOT_USERNAME
from storage.copy import CopyRefused, CopyResult, copy_to_postgres
from storage.database import backup_database

SANDBOX_BANNER = """\
Panong is running in the local sandbox: no Telegram token is set, so nothing goes to Telegram.

    Open {url} in a browser.

The demo teacher, focal points and coordinator are on the left; every chat runs through the
real bot. The sandbox database ({database}) starts empty at each run. Ctrl+C stops it.

To talk to Telegram instead: get a token from @BotFather (/newbot), put
    PANONG_TELEGRAM_TOKEN=123456:ABC-your-token
in {env_file}, and run `make run` again.
"""

REMOTE_WARNING = """\
WARNING: the sandbox listens on {host}, beyond this machine (PANONG_SANDBOX_ALLOW_REMOTE).
It has no login: anyone who can reach it can act as any demo person and read every chat.
"""

NO_TOKEN = """\
PANONG_TELEGRAM_TOKEN is not set, but this machine is configured for the real bot:
{found}
so the bot cannot start, and the sandbox does not start in its place.
Put PANONG_TELEGRAM_TOKEN=... in {env_file} (or in the environment) to run the bot. To run
the local sandbox instead, remove those settings (PANONG_ENV_FILE=/dev/null reads no file).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="panong", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="run N bot processes sharing the work (PostgreSQL, and Telegram "
                     "by webhook); a process that dies is started again")
    commands.add_parser("migrate", help="bring the database schema and directory up to date")
    invite = commands.add_parser("invite", help="print a one-time invite link")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--organisation", help="organisation id from the directory "
                        "(defaults to the provincial education office for coordinators)")
    backup = commands.add_parser("backup", help="copy the live database to PATH (SQLite; "
                                 "PostgreSQL is backed up with pg_dump)")
    backup.add_argument("path", type=Path)
    copy = commands.add_parser(
        "copy-db", help="copy the SQLite database (PANONG_DATABASE_PATH) into a new, empty "
        "PostgreSQL database, and compare every table's row count")
    copy.add_argument("--to", required=True, metavar="URL",
                      help="postgresql://user:password@host:port/database")
    directory = commands.add_parser("directory", help="the directory of schools and units")
    directory_commands = directory.add_subparsers(dest="action", required=True)
    load = directory_commands.add_parser(
        "load", help="check FILE, load it and make it the directory read at every start")
    load.add_argument("file", type=Path)
    commands.add_parser("reminders", help="list reminders overdue, due within a day, and "
                        "messages that could not be delivered")
    load_list = commands.add_parser("import", help="import a list of children to locate "
                                    "(CSV or XLSX; see the README for its columns)")
    load_list.add_argument("file", type=Path)
    report = commands.add_parser("report", help="the summary tables, as in /summary")
    report.add_argument("--format", choices=["text", "json", "xlsx"], default="text")
    report.add_argument("--output", type=Path, default=Path("panong-report.xlsx"),
                        help="where --format xlsx writes the workbook")
    report.add_argument("--scope", default="province",
                        help="province, district:CODE or unit:ID (default: province)")
    report.add_argument("--period", choices=[period.value for period in Period],
                        default=Period.FISCAL_YEAR.value)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings_file = env_file()
        settings = Settings(_env_file=settings_file)
    except MissingEnvFile as exc:
        print(f"Configuration error: {exc}.", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"Configuration error:\n{exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "run":
            if args.workers != 1:
                return _run_workers(settings, args.workers)
            return _run(settings, settings_file)
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "invite":
            return asyncio.run(_invite(settings, Role(args.role), args.organisation))
        if args.command == "backup":
            if settings.database_url:
                print(f"{describe_database(settings)} is backed up with pg_dump, not with "
                      "`panong backup`: see the PostgreSQL part of docs/deployment.md.",
                      file=sys.stderr)
                return 2
            asyncio.run(backup_database(settings.database_path, args.path))
            print(f"Backed up {settings.database_path} to {args.path}")
            return 0
        if args.command == "copy-db":
            return asyncio.run(_copy_db(settings, args.to))
        if args.command == "directory":
            return _load_directory(settings, args.file)
        if args.command == "reminders":
            return asyncio.run(_reminders(settings))
        if args.command == "import":
            return asyncio.run(_import(settings, args.file))
        if args.command == "report":
            return asyncio.run(_report(settings, args.scope, Period(args.period), args.format,
                                       args.output))
    except DirectoryError as exc:
        print(f"The directory file cannot be used: {exc}", file=sys.stderr)
        return 2
    except RoutingError as exc:
        print(f"The routing file cannot be used: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"Not found: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.command)


def _run(settings: Settings, settings_file: Path | None) -> int:
    if settings.telegram_token is None and not settings.line_enabled:
        from sandbox.run import UnsafeSandbox

        if found := production_configuration(settings, settings_file):
            print(NO_TOKEN.format(found="\n".join(f"  - {line}" for line in found),
                                  env_file=settings_file or PROJECT_ENV_FILE), file=sys.stderr)
            return 2
        try:
            asyncio.run(_sandbox(settings, settings_file))
        except UnsafeSandbox as exc:
            print(exc, file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"The sandbox cannot listen on {settings.sandbox_host}:"
                  f"{settings.sandbox_port} ({exc.strerror}). Stop whatever uses that port, or "
                  "set PANONG_SANDBOX_PORT to another one.", file=sys.stderr)
            return 2
        return 0
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret is None:
        print(NO_WEBHOOK_SECRET, file=sys.stderr)
        return 2
    asyncio.run(_serve(settings))
    return 0


SEVERAL_ON_SQLITE = """\
--workers {workers}: several bot processes share one database only on PostgreSQL (set
PANONG_DATABASE_URL); the SQLite file at {path} is served by one process, `panong run`.
"""

SEVERAL_POLLING = """\
--workers {workers}: several bot processes take Telegram's updates by webhook, not by
polling (Telegram gives its updates to one poller): set PANONG_TELEGRAM_WEBHOOK_URL and
PANONG_TELEGRAM_WEBHOOK_SECRET.
"""

NO_WEBHOOK_SECRET = """\
PANONG_TELEGRAM_WEBHOOK_URL is set but PANONG_TELEGRAM_WEBHOOK_SECRET is not: without it
anybody could post updates to the bot. Set it (16 to 256 of A-Z, a-z, 0-9, _ and -).
"""

# How long the supervisor waits before starting again a worker that died.
RESTART_PAUSE_SECONDS = 1.0


def _run_workers(settings: Settings, workers: int) -> int:
    """`workers` processes, each a whole `panong run` (a webhook receiver on the shared
    port, a worker of the inbox, an outbox dispatcher, the scheduled jobs): symmetric, so
    that any of them may die and the others go on with the work, and machines are added by
    running the same command on each. This one only starts them, starts again one that
    dies, and stops them all on SIGTERM or Ctrl+C."""
    if workers < 1:
        print("--workers must be 1 or more", file=sys.stderr)
        return 2
    if settings.database_url is None:
        print(SEVERAL_ON_SQLITE.format(workers=workers, path=settings.database_path),
              file=sys.stderr)
        return 2
    if settings.telegram_token is not None and settings.telegram_webhook_url is None:
        print(SEVERAL_POLLING.format(workers=workers), file=sys.stderr)
        return 2
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret is None:
        print(NO_WEBHOOK_SECRET, file=sys.stderr)
        return 2
    return asyncio.run(_supervise(workers))


async def _supervise(workers: int) -> int:
    stop = _stop_on_signals()

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run")

    running = [await start() for _ in range(workers)]
    logging.getLogger(__name__).info("started %d workers: %s", workers,
                                     ", ".join(str(p.pid) for p in running))
    stopping = asyncio.ensure_future(stop.wait())
    while not stop.is_set():
        exits = {asyncio.ensure_future(p.wait()): n for n, p in enumerate(running)}
        done, _ = await asyncio.wait([*exits, stopping], return_when=asyncio.FIRST_COMPLETED)
        for wait in exits:
            wait.cancel()
        for ended in done - {stopping}:
            n = exits[ended]  # type: ignore[index]
            if stop.is_set():
                break
            logging.getLogger(__name__).warning(
                "worker %s ended (status %s); starting it again", running[n].pid,
                running[n].returncode)
            await asyncio.sleep(RESTART_PAUSE_SECONDS)
            running[n] = await start()
    for process in running:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    await asyncio.gather(*(p.wait() for p in running))
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _serve(settings: Settings) -> None:
    """Telegram, LINE or both, on one database, with one outbox delivering for both and one
    inbox handling what the webhooks received (by this process or another)."""
    stop = _stop_on_signals()
    print(f"Panong starts on {describe_database(settings)}.", flush=True)
    runtime = await Runtime.start(settings)
    channels = []
    routes: list[Callable[[web.Application], None]] = []
    # Imported here: only running a channel needs its library.
    if settings.telegram_token is not None and settings.telegram_webhook_url is not None:
        from handlers.app import serve_webhook
        from handlers.webhook import add_telegram_route

        channels.append(serve_webhook(runtime, stop, own_server=not settings.line_enabled))
        routes.append(lambda app: add_telegram_route(app, runtime))
    elif settings.telegram_token is not None:
        from handlers.app import serve as serve_telegram

        channels.append(serve_telegram(runtime, stop))
    if settings.line_enabled:
        from line.webhook import serve as serve_line

        channels.append(serve_line(runtime, stop, routes))
    try:
        await asyncio.gather(runtime.outbox.run(stop), runtime.inbox.run(stop), *channels)
    finally:
        await runtime.close()


async def _sandbox(settings: Settings, settings_file: Path | None) -> None:
    from sandbox.run import Sandbox

    stop = _stop_on_signals()
    async with Sandbox(settings) as sandbox:
        if sandbox.remote:
            print(REMOTE_WARNING.format(host=settings.sandbox_host), file=sys.stderr)
        print(SANDBOX_BANNER.format(url=sandbox.url, database=settings.sandbox_database_path,
                                    env_file=settings_file or PROJECT_ENV_FILE), flush=True)
        await sandbox.run_until(stop)


def _load_directory(settings: Settings, path: Path) -> int:
    """Check the file whole before anything changes; then install it where every start
    reads it, and load it the way every start does, so a restart keeps it."""
    units = load_directory(path, Geography.load(settings.province_code))
    if path.resolve() != settings.directory_path.resolve():
        partial = settings.directory_path.with_name(settings.directory_path.name + ".partial")
        shutil.copyfile(path, partial)
        partial.replace(settings.directory_path)
    asyncio.run(_record_directory_load(settings, path.name))
    print(f"Loaded {len(units)} units from {path}; the bot uses them from now on, and reads "
          f"{settings.directory_path} at every start.")
    return 0


async def _record_directory_load(settings: Settings, source: str) -> None:
    runtime = await Runtime.start(settings)  # loads the installed directory into the database
    try:
        units = await runtime.db.read.organisations.active()
        async with runtime.db.unit_of_work() as uow:
            await uow.audit.record(at=runtime.now(), actor_id=None, action="directory.loaded",
                                   entity="directory", entity_id=source,
                                   after={"units": [unit.id for unit in units]})
            await uow.commit()
    finally:
        await runtime.close()


def describe_database(settings: Settings) -> str:
    """Which database the settings name, for people: never the password."""
    if settings.database_url:
        return f"PostgreSQL database {_postgres_place(settings.database_url)}"
    return f"SQLite database {settings.database_path}"


def _postgres_place(url: str) -> str:
    """'name on host:port' from a postgresql:// URL; a Unix socket's folder may be given as
    ?host=. libpq's defaults fill what the URL leaves out."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", ["localhost"])[0]
    database = parts.path.lstrip("/") or query.get("dbname", [parts.username or "?"])[0]
    return f"{database} on {host}:{parts.port or 5432}"


async def _migrate(settings: Settings) -> int:
    runtime = await Runtime.start(settings)
    await runtime.close()
    print(f"{describe_database(settings)} is up to date.")
    return 0


async def _copy_db(settings: Settings, url: str) -> int:
    """Copy the SQLite deployment into the PostgreSQL database at `url`; print each
    table's rows on both sides. 1 when a count differs, 2 when the copy was refused."""
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        print("--to takes a postgresql://user:password@host:port/database URL.",
              file=sys.stderr)
        return 2
    place = _postgres_place(url)
    print(f"Copying SQLite database {settings.database_path} into PostgreSQL database "
          f"{place}...", flush=True)
    try:
        result = await copy_to_postgres(settings.database_path, url, settings.tz)
    except CopyRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    _print_counts(result)
    if result.mismatched:
        print(f"MISMATCH in {', '.join(count.table for count in result.mismatched)}: the "
              "copy is not complete. Keep running on SQLite; create the PostgreSQL database "
              "afresh and copy again.", file=sys.stderr)
        return 1
    print(f"Copied {result.rows:,} rows in {result.seconds:.1f} s; every table's count "
          "matches. Set PANONG_DATABASE_URL to use PostgreSQL.")
    return 0


def _print_counts(result: CopyResult) -> None:
    width = max(len(count.table) for count in result.counts)
    print(f"{'table':<{width}}  {'SQLite':>9}  {'PostgreSQL':>10}")
    for count in sorted(result.counts, key=lambda count: count.table):
        print(f"{count.table:<{width}}  {count.sqlite:>9}  {count.postgresql:>10}"
              f"{'' if count.matches else '  MISMATCH'}")


async def _invite(settings: Settings, role: Role, organisation_id: str | None) -> int:
    runtime = await Runtime.start(settings)
    try:
        if organisation_id is None:
            if role is not Role.COORDINATOR:
                print("--organisation is required for this role; ids are in "
                      f"{settings.directory_path}", file=sys.stderr)
                return 2
            offices = await runtime.db.read.organisations.active([OrganisationKind.PEO])
            organisation_id = offices[0].id
        issued = await onboarding.create_invite(
            runtime.db, None, role=role, organisation_id=organisation_id,
            valid_for=settings.invite_validity, now=system_clock(),
        )
        username = settings.bot_username or await runtime.db.read.bot_state.get(BOT_USERNAME)
    except UnknownOrganisation:
        print(f"{organisation_id!r} is not an organisation a {role} can belong to; ids are in "
              f"{settings.directory_path}", file=sys.stderr)
        return 2
    finally:
        await runtime.close()
    invite = issued.invite
    print(f"One-time invite for a {role.value}, valid until {invite.expires_at:%Y-%m-%d %H:%M} "
          "UTC:")
    if username:
        print(f"  {onboarding.invite_link(username, invite.code)}")
    else:
        print("  (the bot's @username is not known yet: start the bot once, or set "
              "PANONG_BOT_USERNAME)")
    if settings.line_basic_id:
        print(f"  on LINE: {onboarding.line_start_link(settings.line_basic_id, invite.code)}")
    print(f"or send this to the bot:  /start {invite.code}")
    return 0


async def _reminders(settings: Settings) -> int:
    """What is overdue, due within a day and undelivered; on LINE, the month's pushes."""
    runtime = await Runtime.start(settings)
    t = translator(settings.default_language)
    try:
        text = await admin.reminders_text(runtime, None, t)
    finally:
        await runtime.close()
    print(presenters.plain(text))
    return 0


async def _import(settings: Settings, source: Path) -> int:
    t = translator(settings.default_language)
    runtime = await Runtime.start(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="panong-import-") as folder:
            parsed = read_apart(source, source.name, runtime.geography, runtime.today(),
                                Path(folder, "checked"), limits=settings.import_limits,
                                process=settings.import_process)
            result = await imports.import_list(runtime.db, None, parsed,
                                               file_name=source.name, now=system_clock())
            print(presenters.plain(t("import-done", total=result.total, added=result.added,
                                     already=result.already, rejected=result.rejected,
                                     unassigned=result.unassigned)))
            if parsed.stopped_at is not None:
                print(presenters.plain(t("import-stopped", line=parsed.stopped_at,
                                         blank=settings.import_max_blank_rows)))
            for row in parsed.rejections():
                print(f"  line {row.line} ({row.ref or '-'}): "
                      f"{presenters.plain(t(row.reason, **row.params))}")
    except ImportFileError as exc:
        print(presenters.plain(t(exc.key, **exc.params)), file=sys.stderr)
        return 2
    finally:
        await runtime.close()
    return 0


async def _report(settings: Settings, scope_text: str, period: Period, form: str,
                  output: Path) -> int:
    try:
        scope = summaries.parse_scope(scope_text)
    except ValueError as exc:
        print(f"--scope: {exc}", file=sys.stderr)
        return 2
    t = translator(settings.default_language)
    runtime = await Runtime.start(settings)
    try:
        prepared = await exports.prepare(
            runtime.db, None, scope, period, ReportKind.XLSX, now=system_clock(),
            tz=settings.tz, overdue_after=timedelta(days=settings.reminder_policy.escalate_days),
            language=t.lang)
        summary = prepared.summary
        name = t(f"scope-{scope.kind}") if scope.kind is ScopeKind.PROVINCE else scope.key or ""
        title = presenters.summary_title(summary, t, name)
        if form == "xlsx":
            listed = await asyncio.to_thread(
                reports.write_xlsx, output, summary, t, runtime.geography,
                title=presenters.plain(title), cases=exports.case_rows(runtime.db, prepared),
                tz=settings.tz, organisations=prepared.organisations)
            print(f"Wrote {output}: the summary tables and {listed} cases.")
            return 0
    finally:
        await runtime.close()
    if form == "json":
        print(summary.model_dump_json(indent=2))
        return 0
    parts = [title, *presenters.summary_sections(summary, t, runtime.geography)]
    print(presenters.plain("\n\n".join(parts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
