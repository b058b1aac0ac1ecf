"""storage.interface stays a faithful description of the SQLite classes, and the code
above storage asks for nothing it does not describe."""

import ast
import asyncio
import inspect
import re
import textwrap
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Protocol

import pytest

import storage.interface
from storage import database, postgres, repositories, sql, users

ROOT = Path(__file__).resolve().parents[2]
ABOVE_STORAGE = ("bot", "handlers", "line")
PROTOCOLS = {name: value for name, value in vars(storage.interface).items()
             if inspect.isclass(value) and Protocol in value.__mro__[1:]
             and value.__module__ == storage.interface.__name__}
# One of each SQLite class, built but never opened: what its __init__ sets is what it has.
ONE_OF_EACH = repositories.Repositories(conn=None)  # type: ignore[arg-type]
SAMPLES: dict[str, object] = {
    **{type(repository).__name__: repository for repository in vars(ONE_OF_EACH).values()
       if type(repository).__module__.startswith("storage.")},
    "Repositories": ONE_OF_EACH,
    "UnitOfWork": repositories.UnitOfWork(None, UTC, users.KnownUsers(),  # type: ignore[arg-type]
                                          asyncio.Event()),
    "Database": database.Database(Path("never-opened.db")),
    "KnownUsers": users.KnownUsers(),
}


def _declared(cls: type) -> dict[str, object]:
    """What a Protocol itself declares: methods and properties."""
    return {name: value for name, value in vars(cls).items()
            if not name.startswith("_") and (callable(value) or isinstance(value, property))}


def _header(function: Callable) -> tuple[str, str, bool]:
    """(parameters, return annotation, whether it is awaited) as written in the source, so
    that a Protocol's `UserRepository` and the class's `UserRepository` read the same."""
    original = inspect.unwrap(function)
    node = ast.parse(textwrap.dedent(inspect.getsource(original))).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    returns = ast.unparse(node.returns) if node.returns else ""
    if function is not original and "asynccontextmanager" in ast.unparse(node.decorator_list):
        returns = re.sub(r"^AsyncIterator\[", "AbstractAsyncContextManager[", returns)
    return ast.unparse(node.args), returns, inspect.iscoroutinefunction(original)


def test_every_protocol_names_the_class_it_describes() -> None:
    assert set(PROTOCOLS) == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_every_method_of_a_protocol_exists_on_its_sqlite_class_as_declared(name: str) -> None:
    protocol, sample = PROTOCOLS[name], SAMPLES[name]
    implementation = type(sample)
    for member, declared in _declared(protocol).items():
        real = inspect.getattr_static(implementation, member, None)
        assert real is not None, f"{implementation.__name__} has no {member}"
        if isinstance(declared, property):
            assert isinstance(real, property), f"{name}.{member} should be a property"
            declared, real = declared.fget, real.fget
        assert _header(declared) == _header(real), f"{name}.{member}"  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_every_attribute_of_a_protocol_is_set_on_its_sqlite_class(name: str) -> None:
    sample = SAMPLES[name]
    for member, annotation in inspect.get_annotations(PROTOCOLS[name]).items():
        value = getattr(sample, member)
        if annotation.__name__ in PROTOCOLS:
            assert type(value).__name__ == annotation.__name__, f"{name}.{member}"
        else:
            assert isinstance(value, annotation), f"{name}.{member}"


def test_postgresql_answers_every_member_of_the_database_protocol_as_sqlite_does() -> None:
    sqlite, server = database.Database, postgres.PostgresDatabase
    for member, declared in _declared(storage.interface.Database).items():
        real = inspect.getattr_static(server, member, None)
        assert real is not None, f"PostgresDatabase has no {member}"
        if isinstance(declared, property):
            assert isinstance(real, property), member
            real = real.fget
        expected = inspect.getattr_static(sqlite, member)
        expected = expected.fget if isinstance(expected, property) else expected
        assert _header(real) == _header(expected), member  # type: ignore[arg-type]
    built = server("postgresql://never-opened/x")
    for member in inspect.get_annotations(storage.interface.Database):
        assert type(getattr(built, member)) is type(getattr(SAMPLES["Database"], member))
    for method in ("open", "close", "migrate"):
        assert _header(getattr(server, method)) == _header(getattr(sqlite, method)), method


def test_both_connections_speak_the_connection_protocol() -> None:
    declared = _declared(sql.Connection)
    for connection in (sql.SqliteConnection, postgres.PgConnection):
        for member in declared:
            assert callable(getattr(connection, member, None)), f"{connection}: {member}"
        assert connection.dialect in ("sqlite", "postgresql")


def _sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for folder in ABOVE_STORAGE
            for path in sorted((ROOT / folder).rglob("*.py"))}


def test_nothing_above_storage_calls_a_repository_method_the_interface_does_not_describe(
) -> None:
    described = {attribute: _declared(PROTOCOLS[annotation.__name__])
                 for attribute, annotation in
                 inspect.get_annotations(storage.interface.Repositories).items()}
    missing = set()
    for path, text in _sources().items():
        for attribute, method in re.findall(
                rf"\b(?:read|uow|repos)\.({'|'.join(described)})\.(\w+)\(", text):
            if method not in described[attribute]:
                missing.add(f"{path.relative_to(ROOT)}: {attribute}.{method}")
    assert not missing, sorted(missing)


# The composition roots build a backend; everything else takes the Protocols.
BUILDS_THE_DATABASE = {Path("bot/runtime.py"), Path("bot/cli.py")}


def test_services_handlers_and_adapters_take_the_protocols_not_sqlite() -> None:
    offending = []
    for path, text in _sources().items():
        relative = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                if module.split(".")[0] in ("aiosqlite", "sqlite3", "asyncpg"):
                    offending.append(f"{relative}: {module}")
                if (module in ("storage.database", "storage.postgres", "storage.repositories")
                        and relative not in BUILDS_THE_DATABASE):
                    offending.append(f"{relative}: {module}")
    assert not offending, offending


# SQL as the repositories write it: upper-case keywords followed by SQL, not by English.
SQL = re.compile(r"""
    \bSELECT\s+(DISTINCT\b|\*|[a-z_]+\.|[a-z_]+\s*(,|\(|\s+FROM\b))
  | \bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b
  | \bUPDATE\s+[a-z_]+\s+SET\b
  | \bDELETE\s+FROM\b
  | \bWHERE\s+[a-z_.]+\s*(=|<|>|!=|IN\b|IS\b|LIKE\b|BETWEEN\b)
  | \b(PRAGMA\s+[a-z_]+|BEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)|CREATE\s+(TABLE|INDEX))\b
""", re.VERBOSE)


def sql_in(text: str) -> list[str]:
    """The string literals that hold SQL, docstrings aside (comments are not literals)."""
    tree = ast.parse(text)
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and SQL.search(node.value)]


def test_sql_is_recognised_in_code_and_left_alone_in_prose() -> None:
    code = '''
def f(conn, where):
    """SELECT * FROM cases WHERE id = ? in a docstring is prose."""
    # DELETE FROM users in a comment too
    conn.execute(f"SELECT c.code FROM cases c WHERE {where}")
    conn.execute("UPDATE users SET active = 0")
    conn.execute("INSERT OR IGNORE INTO tallies (n) VALUES (?)")
    conn.execute("DELETE FROM drafts")
    conn.execute("SELECT count(*) FROM cases")
    clause = "c.id IN (SELECT u.case_id FROM referrals u WHERE u.status = ?)"
    return "Select a district from the list", "Where is the child?", "UPDATE"
'''
    assert sorted(sql_in(code)) == sorted([
        "SELECT c.code FROM cases c WHERE ", "UPDATE users SET active = 0",
        "INSERT OR IGNORE INTO tallies (n) VALUES (?)", "DELETE FROM drafts",
        "SELECT count(*) FROM cases",
        "c.id IN (SELECT u.case_id FROM referrals u WHERE u.status = ?)"])


def test_no_sql_is_written_above_storage() -> None:
    found = {str(path.relative_to(ROOT)): sql for path, text in _sources().items()
             if (sql := sql_in(text))}
    assert not found, found
