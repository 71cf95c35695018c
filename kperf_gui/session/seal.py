"""``kperf seal``: a session folder as one byte-reproducible ``<folder>.kperf.zip``, and reading
one back.

The bundle holds the whole folder (journal, exports, report, manifest, signatures, the
signature page and amendments) under one top folder named like the session folder. Its bytes
depend only on the files: entries in sorted order, each stamped with the session's own start
time, the same file mode and deflate level. A bundle is checked by unpacking it into a
temporary folder (refusing any entry that would land outside it) and checking that folder as
``kperf verify`` checks a session folder; a damaged member fails its CRC and is named.
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import stat
import tempfile
import zipfile
import zlib
from contextlib import closing, contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from .reproducible import DEFLATE_LEVEL, write_atomic, zip_date_time

SUFFIX = ".kperf.zip"
_FILE_MODE = 0o644
_UNIX = 3
MAX_BUNDLE_BYTES = 16 << 30


class BundleError(Exception):
    """A bundle cannot be written or read; the message says why and what to do."""


def bundle_path(folder: Path) -> Path:
    """Where ``kperf seal DIR`` writes by default: beside the folder."""
    folder = Path(folder).resolve()
    return folder.parent / f"{folder.name}{SUFFIX}"


def session_start(folder: Path) -> _dt.datetime:
    """The session's own UTC start (the journal's clock anchor), else 1980-01-01."""
    from .journal import open_readonly
    from .journal_reader import meta

    try:
        with closing(open_readonly(Path(folder) / "session.sqlite")) as conn:
            return _dt.datetime.fromisoformat(meta(conn)["anchor_utc"])
    except Exception:  # noqa: BLE001 - any unreadable journal gets the zip epoch
        return _dt.datetime(1980, 1, 1, tzinfo=_dt.timezone.utc)


def write_bundle(folder: Path, out: Path) -> Path:
    """Zip every file of ``folder`` into ``out``, reproducibly."""
    folder = Path(folder)
    top = folder.resolve().name
    stamp = zip_date_time(session_start(folder))
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in files:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, (folder / name).read_bytes(), compresslevel=DEFLATE_LEVEL)
    write_atomic(Path(out), buffer.getvalue())
    return Path(out)


def unpack(bundle: Path, dest: Path) -> Path:
    """Unpack ``bundle`` into ``dest`` (an empty folder) and return the session folder in it.
    Raises :class:`BundleError` naming a damaged or unsafe entry."""
    bundle = Path(bundle)
    try:
        archive = zipfile.ZipFile(bundle)
    except FileNotFoundError:
        raise BundleError(f"{bundle} does not exist.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{bundle} is not a readable zip file ({exc}); it may be damaged.") from None
    with archive:
        infos = archive.infolist()
        tops = {PurePosixPath(i.filename).parts[0] for i in infos if i.filename}
        if len(tops) != 1:
            raise BundleError(f"{bundle} does not hold exactly one session folder.")
        top = tops.pop()
        if sum(i.file_size for i in infos) > MAX_BUNDLE_BYTES:
            raise BundleError(f"{bundle} unpacks to more than {MAX_BUNDLE_BYTES >> 30} GiB; it "
                              "is not a session bundle.")
        seen: set[str] = set()
        root = Path(dest).resolve() / top
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue
            parts = PurePosixPath(name).parts
            mode = info.external_attr >> 16
            if (name.startswith("/") or "\\" in name or ".." in parts or len(parts) < 2
                    or ":" in name or stat.S_ISLNK(mode)):
                raise BundleError(f"{bundle} holds an unsafe entry {name!r}; it is not a bundle "
                                  "written by kperf seal.")
            if name in seen:
                raise BundleError(f"{bundle} holds {name!r} twice; it was changed.")
            seen.add(name)
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise BundleError(f"changed: {'/'.join(parts[1:])} in the bundle is damaged "
                                  f"({exc})") from None
            target = root.joinpath(*parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return root


@contextmanager
def unpacked(bundle: Path) -> Iterator[Path]:
    """A bundle unpacked into a temporary folder for as long as the ``with`` lasts."""
    with tempfile.TemporaryDirectory(prefix="kperf-bundle-") as tmp:
        yield unpack(bundle, Path(tmp))


def make_read_only(folder: Path) -> None:
    """Mark every file under ``folder`` read-only (an opened bundle is not to be edited)."""
    for p in Path(folder).rglob("*"):
        if p.is_file():
            os.chmod(p, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
