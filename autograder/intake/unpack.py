"""Unpack a zip safely, keeping each entry's time as the file's modification time.

Entries with absolute paths, ``..`` or ``__MACOSX`` are skipped, and an archive
that would unpack to more than :data:`MAX_UNPACKED_BYTES` is refused.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from autograder.errors import UsageError

MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def unpack(archive: Path, into: Path) -> list[str]:
    """Unpack ``archive`` into ``into``; return the entries that were skipped.

    Raises
    ------
    ValueError
        The archive is not a zip, or unpacks to more than the limit.
    """
    skipped = []
    try:
        handle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise UsageError(f"unreadable zip: {error}") from None
    with handle:
        members = [m for m in handle.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise UsageError(f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB")
        for member in members:
            parts = Path(member.filename).parts
            if member.filename.startswith("/") or ".." in parts or "__MACOSX" in parts:
                skipped.append(member.filename)
                continue
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(handle.read(member))
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:
                raise UsageError(f"unreadable zip entry {member.filename}: {error}") from None
            stamp = time.mktime(member.date_time + (0, 0, -1))
            os.utime(target, (stamp, stamp))
    return skipped
