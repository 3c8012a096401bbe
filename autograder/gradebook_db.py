"""The gradebook's database: checked before grading, written by one run at a time.

nbgrader's gradebook is SQLAlchemy, so ``--db`` takes any URL it can open:
``sqlite:///DIR/gradebook.db`` (the default) or ``postgresql://USER:PASSWORD@HOST:PORT/DB``
for a gradebook several graders and the formgrader share (``pip install
'cnn-course[postgres]'``). Two runs that record at once would both create the
same assignment, notebooks, cells and students (nbgrader looks, then inserts),
and one would fail on a unique key. :func:`writer_lock` makes them take turns:
on PostgreSQL with a session advisory lock held while a run records, so runs on
different machines wait for each other; SQLite locks its file itself.
"""

from __future__ import annotations

import contextlib
import zlib

from autograder.errors import UsageError

#: The advisory lock's key: a fixed number every grader of this course uses.
LOCK_KEY = zlib.crc32(b"autograder-gradebook")


def _engine(db_url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        return create_engine(db_url)
    except (ArgumentError, NoSuchModuleError) as error:
        raise UsageError(f"grade: --db must be a SQLAlchemy URL such as sqlite:///DIR/gradebook.db or "
                         f"postgresql://USER@HOST:PORT/DB, got {db_url!r} ({error})") from None
    except ImportError as error:
        raise UsageError(f"grade: --db {_shown(db_url)}: its database driver is missing ({error}); for "
                         "PostgreSQL: pip install 'cnn-course[postgres]'") from None


def _shown(db_url: str) -> str:
    """``db_url`` without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:
        return db_url


def check_database(db_url: str | None) -> None:
    """Fail before grading when the gradebook at ``db_url`` cannot be reached.

    Raises
    ------
    UsageError
        Not a URL, no driver for it, or (for a server) no connection.
    """
    if not db_url or db_url == "none" or db_url.startswith("sqlite"):
        return
    engine = _engine(db_url)
    try:
        with engine.connect():
            pass
    except Exception as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UsageError(f"grade: --db {_shown(db_url)}: cannot connect ({first})") from None
    finally:
        engine.dispose()


@contextlib.contextmanager
def writer_lock(db_url: str):
    """Hold the gradebook's writer lock while the block records (PostgreSQL; nothing to do elsewhere)."""
    if not db_url.startswith("postgresql"):
        yield
        return
    from sqlalchemy import text

    engine = _engine(db_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        engine.dispose()
