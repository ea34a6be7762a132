"""The registry's schema, version by version: ordered migrations applied when a registry opens.

A database records the migrations it has had in ``schema_migrations`` (one row per version,
with its name and when it ran). ``migrate(engine)`` applies the missing ones in order, all in
ONE transaction with their rows, so a database is at one version or the next, never between:

- PostgreSQL: under the transaction-level advisory lock that already serialised schema
  creation (``SCHEMA_LOCK_KEY``): replicas opening one database at once wait for the first,
  then find nothing left to do. PostgreSQL's DDL is transactional.
- SQLite: in a ``BEGIN IMMEDIATE`` transaction (the database's write lock, so two processes
  opening one file at once also take turns); the driver's own transaction handling is off for
  it, because Python's sqlite3 commits before DDL.

A database from before this table (a registry created by ``create_all``) is version 1, the
schema as first shipped; an empty one is version 0. A migration is frozen once released: its
DDL names the tables and columns as they were at its version, never the ORM models in
``tables.py``, which describe the newest version (a test checks that a fresh database and an
upgraded one both end up with the models' tables, columns and indexes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    inspect, text,
)
from sqlalchemy.engine import Connection, Engine

# pg_advisory_xact_lock key taken while the schema is created or migrated (unique to taizhang)
SCHEMA_LOCK_KEY = 0x7A5C_0001
VERSION_TABLE = "schema_migrations"


@dataclass(frozen=True)
class Migration:
    """One step: ``apply`` takes a database at ``version - 1`` to ``version``."""

    version: int
    name: str  # what it changes and why, as recorded in the version table
    apply: Callable[[Connection], None]


def _first_schema() -> MetaData:
    """The tables as taizhang first created them (version 1), VARCHAR limits included."""
    md = MetaData()
    Table("documents", md,
          Column("doc_id", String(255), primary_key=True), Column("title", Text, nullable=False),
          Column("issuer", Text), Column("date", Date), Column("doc_type", String(64)),
          Column("status", String(32), nullable=False), Column("source_path", Text, nullable=False),
          Column("source_format", String(16), nullable=False),
          Column("raw_sha256", String(64), nullable=False), Column("fingerprint", String(255), nullable=False),
          Column("meta_json", Text, nullable=False), Column("document_json", Text, nullable=False),
          Column("updated_at", DateTime(timezone=True), nullable=False))
    Table("tasks", md,
          Column("task_id", String(512), primary_key=True),
          Column("doc_id", String(255), ForeignKey("documents.doc_id", ondelete="CASCADE"),
                 nullable=False, index=True),
          Column("position", Integer, nullable=False), Column("number", String(64)),
          Column("title", Text, nullable=False), Column("has_lead", Boolean, nullable=False),
          Column("assigned", Boolean, nullable=False), Column("deadline_year", Integer, index=True),
          Column("task_json", Text, nullable=False))
    Table("task_units", md,
          Column("id", Integer, primary_key=True, autoincrement=True),
          Column("task_id", String(512), ForeignKey("tasks.task_id", ondelete="CASCADE"),
                 nullable=False, index=True),
          Column("doc_id", String(255), nullable=False, index=True),
          Column("canonical", String(255), nullable=False, index=True),
          Column("name", Text, nullable=False), Column("role", String(16), nullable=False, index=True),
          Column("known", Boolean, nullable=False))
    Table("targets", md,
          Column("target_id", String(512), primary_key=True),
          Column("doc_id", String(255), ForeignKey("documents.doc_id", ondelete="CASCADE"),
                 nullable=False, index=True),
          Column("task_id", String(512)), Column("position", Integer, nullable=False),
          Column("indicator", Text, nullable=False), Column("year", Integer, index=True),
          Column("comparator", String(16), nullable=False), Column("value", String(100)),
          Column("value_max", String(100)), Column("unit", Text), Column("target_json", Text, nullable=False))
    Table("registry_state", md,
          Column("id", Integer, primary_key=True), Column("schema_version", Integer, nullable=False),
          Column("epoch", String(32), nullable=False), Column("generation", Integer, nullable=False))
    return md


def create_first_schema(conn: Connection) -> None:
    _first_schema().create_all(conn)


# The columns version 1 limited in length. PostgreSQL enforces VARCHAR(n) where SQLite ignores
# it: a 259-character document id (a long file name) or a 6,000-character unit was refused.
WIDENED_COLUMNS = {
    "documents": ("doc_id", "doc_type", "raw_sha256", "fingerprint"),
    "tasks": ("task_id", "doc_id", "number"),
    "task_units": ("task_id", "doc_id", "canonical"),
    "targets": ("target_id", "doc_id", "task_id", "value", "value_max"),
}


def widen_text_columns(conn: Connection) -> None:
    """PostgreSQL: the limited columns become ``text`` (in place; a column already ``text`` is
    left as it is). SQLite: nothing to do, a declared length never limited what it stores."""
    if conn.dialect.name != "postgresql":
        return
    for table, columns in WIDENED_COLUMNS.items():
        alters = ", ".join(f"ALTER COLUMN {c} TYPE text" for c in columns)
        conn.execute(text(f"ALTER TABLE {table} {alters}"))


def add_listing_indexes(conn: Connection) -> None:
    """Indexes for reading the ledger by unit, by role and in document order. ``Registry.tasks``
    filters by unit and role with a subquery run per task; with only the one-column indexes
    SQLite answered it from the role's index, checking every row of the role for every task:
    at 1,000 documents (10,079 tasks, 30,407 unit rows) a unit's lead tasks took 121 s and all
    lead tasks 84 s; with these, 0.16 s and 1.45 s (``bench.ledger_queries``). (doc_id,
    position) gives the ledger in document order without sorting it."""
    md = MetaData()
    units = Table("task_units", md, Column("canonical", Text), Column("role", Text), Column("task_id", Text))
    tasks = Table("tasks", md, Column("doc_id", Text), Column("position", Integer))
    Index("ix_task_units_canonical_task", units.c.canonical, units.c.task_id, units.c.role).create(conn)
    Index("ix_task_units_role_task", units.c.role, units.c.task_id).create(conn)
    Index("ix_tasks_doc_position", tasks.c.doc_id, tasks.c.position).create(conn)


def add_version_tables(conn: Connection) -> None:
    """Which document replaced which (a changed or renamed file) and the version links a person
    recorded (``--as-version-of``). Registries opened by a taizhang of the weeks before this
    table existed got them from ``create_all``, so each is made only where it is missing."""
    md = MetaData()
    Table("document_replacements", md,
          Column("old_doc_id", Text, primary_key=True),
          Column("new_doc_id", Text, nullable=False, index=True),
          Column("replaced_at", DateTime(timezone=True), nullable=False))
    Table("document_versions", md,
          Column("doc_id", Text, primary_key=True),
          Column("previous_id", Text, primary_key=True, index=True),
          Column("origin", String(16), nullable=False),
          Column("created_at", DateTime(timezone=True), nullable=False))
    md.create_all(conn, checkfirst=True)


def add_tracking_tables(conn: Connection) -> None:
    """What the 督查室 adds (``extractors/tracking/tables.py``): corrections, progress reports
    and the workbooks they came from. Until this version the tracking store made them itself
    (``create_all`` when it first opened a registry), so a registry that was ever tracked has
    them already: each is made only where it is missing, as its model then declared it."""
    md = MetaData()

    def recorded(*columns: Column) -> tuple[Column, ...]:  # the columns every record has
        return (Column("task_id", Text, nullable=False, index=True),
                Column("origin_json", Text, nullable=False),
                Column("created_at", DateTime(timezone=True), nullable=False), *columns)

    Table("corrections", md, *recorded(
        Column("correction_id", Integer, primary_key=True, autoincrement=True),
        Column("doc_id", Text, nullable=False, index=True), Column("field", String(32), nullable=False),
        Column("before", Text, nullable=False), Column("after", Text, nullable=False),
        Column("source_text", Text, nullable=False), Column("char_start", Integer, nullable=False),
        Column("char_end", Integer, nullable=False), Column("task_json", Text)))
    Table("progress_reports", md, *recorded(
        Column("report_id", Integer, primary_key=True, autoincrement=True),
        Column("unit", Text, nullable=False, index=True), Column("status", String(16), nullable=False),
        Column("progress", Text, nullable=False), Column("problems", Text, nullable=False),
        Column("next_steps", Text, nullable=False), Column("report_date", Date, nullable=False, index=True)))
    Table("imported_files", md,
          Column("id", Integer, primary_key=True, autoincrement=True),
          Column("sha256", String(64), nullable=False, index=True), Column("name", Text, nullable=False),
          Column("kind", String(32), nullable=False),
          Column("imported_at", DateTime(timezone=True), nullable=False),
          Column("corrections", Integer, nullable=False), Column("reports", Integer, nullable=False))
    md.create_all(conn, checkfirst=True)


# The PostgreSQL search tables whose shape does not depend on the embedding model (the one that
# does, search_contents with its halfvec(dim) column, is made by the index build, which knows the
# model): search_api/index/pg_schema.py says what each holds. The first layout (one row per
# passage, each with its own vector and a ts_rank tsvector) is dropped: its rows cannot be
# converted, and the next `taizhang build` rebuilds the index from the registry.
_SEARCH_TABLES_V6 = (
    ("CREATE TABLE IF NOT EXISTS search_state (id int PRIMARY KEY, model_id text NOT NULL, dim int NOT NULL, "
     "generation bigint NOT NULL, registry_generation text NOT NULL, indexer int NOT NULL)"),
    "CREATE TABLE IF NOT EXISTS search_docs (doc_id text PRIMARY KEY, fingerprint text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS search_cards (item_id text PRIMARY KEY, doc_id text NOT NULL, card_json text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_cards_doc ON search_cards (doc_id)",
    ("CREATE TABLE IF NOT EXISTS search_passages (id bigserial PRIMARY KEY, collection text NOT NULL, "
     "item_id text NOT NULL, doc_id text NOT NULL, doc_status text NOT NULL, years int[] NOT NULL, "
     "units text[] NOT NULL, kind text NOT NULL, text text NOT NULL, span_start int NOT NULL, "
     "span_end int NOT NULL, page int NOT NULL, line int NOT NULL, content_id bigint NOT NULL)"),
    "CREATE INDEX IF NOT EXISTS search_passages_doc ON search_passages (doc_id)",
    "CREATE INDEX IF NOT EXISTS search_passages_content ON search_passages (content_id)",
    "CREATE INDEX IF NOT EXISTS search_passages_item ON search_passages (item_id)",
    "CREATE INDEX IF NOT EXISTS search_passages_units ON search_passages USING gin (units)",
    "CREATE INDEX IF NOT EXISTS search_passages_years ON search_passages USING gin (years)",
    ("CREATE TABLE IF NOT EXISTS search_terms (content_id bigint NOT NULL, term text NOT NULL, "
     "collection text NOT NULL, tf int NOT NULL, length int NOT NULL, impact real NOT NULL, "
     "PRIMARY KEY (content_id, term))"),
    ("CREATE INDEX IF NOT EXISTS search_terms_postings ON search_terms (collection, term, impact DESC) "
     "INCLUDE (content_id, tf, length)"),
    ("CREATE TABLE IF NOT EXISTS search_term_stats (collection text NOT NULL, term text NOT NULL, "
     "df bigint NOT NULL, PRIMARY KEY (collection, term))"),
    ("CREATE TABLE IF NOT EXISTS search_collections (collection text PRIMARY KEY, passages bigint NOT NULL, "
     "total_length bigint NOT NULL)"),
    "CREATE TABLE IF NOT EXISTS embedding_cache (key bytea PRIMARY KEY, dim int NOT NULL, vector bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS token_cache (key bytea PRIMARY KEY, terms text[] NOT NULL)",
)


def add_postgres_search_tables(conn: Connection) -> None:
    """PostgreSQL: the search tables of the second layout (see ``_SEARCH_TABLES_V6``), the first
    layout's dropped; the shared caches kept. SQLite: nothing (its index is files on disk)."""
    if conn.dialect.name != "postgresql":
        return
    old_layout = conn.execute(text(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'search_passages' "
        "AND column_name = 'embedding'")).first()
    if old_layout:
        conn.execute(text("DROP TABLE search_passages, search_cards, search_docs, search_state"))
    # run again over tables version 7 made (a database whose version table was set back), the
    # impact column is gone and so is the index that read it
    impact_gone = conn.execute(text(
        "SELECT to_regclass('search_terms') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'search_terms' AND column_name = 'impact')")).scalar()
    for statement in _SEARCH_TABLES_V6:
        if not (impact_gone and "search_terms_postings" in statement):
            conn.execute(text(statement))


# Version 7: a term's postings read in (tf descending, length ascending) order. BM25's share of a
# posting grows with tf and shrinks with the length, whatever the collection's average length,
# so the first unread posting bounds every unread one and the top k can be exact
# (search_api/search/pg_rankings.py). Version 6 read them by an ``impact`` computed with the
# average length of the moment each row was written: no bound held, so a cap on postings read
# cost exactness.
_POSTINGS_BY_TF = ("CREATE INDEX IF NOT EXISTS search_terms_by_tf ON search_terms "
                   "(collection, term, tf DESC, length) INCLUDE (content_id)")

_SEARCH_TABLES_V7 = (
    *(s for s in _SEARCH_TABLES_V6 if not s.startswith(("CREATE TABLE IF NOT EXISTS search_terms ",
                                                        "CREATE INDEX IF NOT EXISTS search_terms_postings"))),
    ("CREATE TABLE IF NOT EXISTS search_terms (content_id bigint NOT NULL, term text NOT NULL, "
     "collection text NOT NULL, tf int NOT NULL, length int NOT NULL, PRIMARY KEY (content_id, term))"),
    _POSTINGS_BY_TF,
)


def order_postings_by_tf(conn: Connection) -> None:
    """PostgreSQL: the postings index of version 7 in place of version 6's ``impact`` order (the
    column goes with it). SQLite: nothing."""
    if conn.dialect.name != "postgresql" or not conn.execute(text("SELECT to_regclass('search_terms')")).scalar():
        return  # (tables dropped since version 6 are made as version 7 has them by the next build)
    conn.execute(text(_POSTINGS_BY_TF))
    conn.execute(text("DROP INDEX IF EXISTS search_terms_postings"))
    conn.execute(text("ALTER TABLE search_terms DROP COLUMN IF EXISTS impact"))


def ensure_postgres_search_tables(conn: Connection) -> None:
    """The search tables as the latest version has them, made where missing (an index build
    calls it: a bench or an operator may have dropped them since the migrations ran)."""
    if conn.dialect.name != "postgresql":
        return
    for statement in _SEARCH_TABLES_V7:
        conn.execute(text(statement))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the first schema: documents, tasks, task_units, targets, registry_state", create_first_schema),
    Migration(2, "text columns without length limits (PostgreSQL refused long ids and unit names)",
              widen_text_columns),
    Migration(3, "indexes for tasks by unit and role and for the ledger in document order",
              add_listing_indexes),
    Migration(4, "document_replacements and document_versions, where missing", add_version_tables),
    Migration(5, "the tracking tables (corrections, progress_reports, imported_files), where missing",
              add_tracking_tables),
    Migration(6, "PostgreSQL: search tables with one row per distinct content and BM25 terms "
              "(the first layout dropped: rebuild the index)", add_postgres_search_tables),
    Migration(7, "PostgreSQL: BM25 postings read in tf and length order, so the lexical top k is exact",
              order_postings_by_tf),
)
LATEST_VERSION = MIGRATIONS[-1].version


def _version_table() -> Table:
    return Table(VERSION_TABLE, MetaData(),
                 Column("version", Integer, primary_key=True), Column("name", Text, nullable=False),
                 Column("applied_at", DateTime(timezone=True), nullable=False))


def schema_version(conn: Connection) -> int:
    """The database's version: the highest recorded migration; 1 for a registry made before
    migrations were recorded; 0 for a database without taizhang's tables."""
    tables = set(inspect(conn).get_table_names())
    if "documents" not in tables:
        return 0  # (a version table left beside dropped tables counts for nothing)
    if VERSION_TABLE in tables:
        return int(conn.execute(text(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}")).scalar())
    return 1


@contextlib.contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the right to change the schema (see the module docstring)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # we say BEGIN ourselves
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        yield conn


def migrate(conn: Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply the migrations ``conn``'s database lacks, in order, recording each; returns the
    versions applied. ``conn`` is inside ``schema_transaction``. A database newer than
    ``migrations`` raises ``NewerSchemaError`` (this taizhang would misread it)."""
    current = schema_version(conn)
    latest = migrations[-1].version
    if current > latest:
        raise NewerSchemaError(current, latest)
    versions = _version_table()
    versions.create(conn, checkfirst=True)
    if not current:
        conn.execute(versions.delete())
    elif not conn.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar():
        # a registry from before the version table: record what it already has
        conn.execute(versions.insert(), [_row(m, note="(found, not applied)") for m in migrations
                                         if m.version <= current])
    applied = []
    for migration in migrations:
        if migration.version > current:
            migration.apply(conn)
            conn.execute(versions.insert(), [_row(migration)])
            applied.append(migration.version)
    return applied


def _row(migration: Migration, note: str = "") -> dict:
    return {"version": migration.version, "name": f"{migration.name} {note}".strip(),
            "applied_at": dt.datetime.now(dt.UTC)}


class NewerSchemaError(Exception):
    """The database was migrated by a newer taizhang than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"registry schema is version {found}, this taizhang knows versions up to {known}")
        self.found, self.known = found, known
