"""Copy a benchmark's SQLite knowledge base into an empty PostgreSQL database, table by
table with COPY (a JSON export of ten million lines would take hours to restore).

    .venv/bin/python bench/to_postgres.py bench/out/search.sqlite3 postgres://USER@HOST/EMPTY

Migrates the target, then in one transaction empties what the migrations seeded, copies
every table of the apps (not the FTS5 tables: PostgreSQL computes its own generated
`search_vector` columns), builds the full-text indexes and the terms tables after the
rows are in (faster than growing them row by row), resets the id sequences; then VACUUM ANALYZE, as
autovacuum would soon after. Prints the time each step took. Bench only.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import search as bench  # noqa: E402 - bench/search.py: its env()

APPS = ("kb_", "taggit_")
BATCH = 50_000


def columns(pg, table: str) -> list[str]:
    """The table's columns PostgreSQL accepts values for (not the generated ones)."""
    rows = pg.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def search_indexes(pg) -> list[tuple[str, str]]:
    return pg.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%%search_vector%%'"
    ).fetchall()


def _schema(url: str):
    """kb.search.schema, Django set up for `url`."""
    os.environ.update(bench.env(url))
    import django

    django.setup()
    from kb.search import schema

    return schema


def refill_terms(url: str) -> list[str]:
    """The statements that recount every terms table (kb.search.schema)."""
    schema = _schema(url)

    return [
        statement
        for terms in schema.TERMS.values()
        for statement in schema.postgres_refill_terms(terms)
    ]


def copy(sqlite_path: Path, url: str) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=bench.env(url), check=True
    )
    timings["migrate"] = time.perf_counter() - started
    source = sqlite3.connect(sqlite_path)
    # Not SQLite's own chapter terms: PostgreSQL recounts its terms tables below.
    term_tables = {terms.table for terms in _schema(url).TERMS.values()}
    tables = [
        name
        for (name,) in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        if name.startswith(APPS) and "_fts" not in name and name not in term_tables
    ]
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as pg:
        pg.execute("SET session_replication_role = replica")  # no FK checks, no triggers
        pg.execute("SET maintenance_work_mem = '1GB'")
        indexes = search_indexes(pg)
        for name, _ in indexes:
            pg.execute(f'DROP INDEX "{name}"')
        present = [t for t in tables if pg.execute("SELECT to_regclass(%s)", [t]).fetchone()[0]]
        pg.execute("TRUNCATE " + ", ".join(present) + " CASCADE")
        for table in present:
            t0 = time.perf_counter()
            wanted = columns(pg, table)
            have = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
            cols = [c for c in wanted if c in have]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = source.execute(f"SELECT {quoted} FROM {table}")
            with pg.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as out:
                while batch := rows.fetchmany(BATCH):
                    for row in batch:
                        out.write_row(row)
            timings[f"copy {table}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _, definition in indexes:
            pg.execute(definition)
        timings["full-text indexes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for statement in refill_terms(url):  # its trigger was off, as all
            pg.execute(statement)
        timings["terms"] = time.perf_counter() - t0
        for table in present:
            if (
                "id" in columns(pg, table)
                and pg.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]
            ):
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as pg:
        t0 = time.perf_counter()
        pg.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sqlite", type=Path)
    parser.add_argument("url", help="postgres://... of an empty database")
    args = parser.parse_args()
    for step, seconds in copy(args.sqlite, args.url).items():
        print(f"  {step}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
