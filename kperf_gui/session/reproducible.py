"""Byte-for-byte reproducible files: zip archives stamped with the session's own time, atomic writes."""
from __future__ import annotations

import datetime as _dt
import io
import os
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

DEFLATE_LEVEL = 6
"""zlib level used for every deflated entry, so the compressed bytes do not depend on defaults."""

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_FILE_MODE = 0o644


def utc_naive(when: _dt.datetime) -> _dt.datetime:
    """``when`` in UTC without a time zone and without microseconds (how Excel stores times)."""
    if when.tzinfo is not None:
        when = when.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return when.replace(microsecond=0)


def zip_date_time(when: _dt.datetime) -> tuple[int, int, int, int, int, int]:
    """The zip (DOS) timestamp of ``when`` in UTC; zip cannot store times before 1980."""
    stamp = utc_naive(when).timetuple()[:6]
    return max(stamp, _ZIP_EPOCH)


def normalise_zip(archive: bytes, when: _dt.datetime) -> bytes:
    """Rewrite a zip archive so that its bytes depend only on its entries' names, order and contents.

    Entries keep their order and compression method; every entry gets the timestamp ``when``, the
    same file mode and creator system, and deflated entries the same compression level.
    """
    stamp = zip_date_time(when)
    out = io.BytesIO()
    with ZipFile(io.BytesIO(archive)) as source, ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = entry.compress_type
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            level = DEFLATE_LEVEL if entry.compress_type == ZIP_DEFLATED else None
            target.writestr(info, source.read(entry), compresslevel=level)
    return out.getvalue()


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file, so a failed write leaves no half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
