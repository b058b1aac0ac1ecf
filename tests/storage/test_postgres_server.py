"""The throwaway PostgreSQL server the tests start (tests/support/postgres.py)."""

import asyncpg

from tests.support.postgres import PostgresServer


async def test_the_server_answers_with_its_version(postgres_server: PostgresServer,
                                                   postgres_database: str) -> None:
    conn = await asyncpg.connect(postgres_database)
    try:
        version = await conn.fetchval("SELECT version()")
    finally:
        await conn.close()
    assert version.startswith(f"PostgreSQL {postgres_server.version} ")


async def test_a_database_made_from_a_template_holds_its_rows(
        postgres_server: PostgresServer, postgres_database: str) -> None:
    template = await asyncpg.connect(postgres_database)
    try:
        await template.execute("CREATE TABLE kept (id BIGINT PRIMARY KEY);"
                               " INSERT INTO kept VALUES (42)")
    finally:
        await template.close()
    copy_url = await postgres_server.create_database(template=postgres_database)
    try:
        copy = await asyncpg.connect(copy_url)
        try:
            assert await copy.fetchval("SELECT id FROM kept") == 42
        finally:
            await copy.close()
    finally:
        await postgres_server.drop_database(copy_url)
    maintenance = await asyncpg.connect(postgres_server.url())
    try:
        names = await maintenance.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname = $1", copy_url.rsplit("/")[-1])
    finally:
        await maintenance.close()
    assert names == 0
