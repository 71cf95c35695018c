"""What the operator and the witness do to a finished session, for the command line and the app
alike: sign it, add an amendment, seal it, open a sealed bundle. Each first checks that the
session is finished and intact, and refuses otherwise with one line that says what to do."""
from __future__ import annotations

import datetime as _dt
import hashlib
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import amendments, verification
from .journal import is_finalised, open_readonly
from .keys import SigningKey
from .manifest import MANIFEST_NAME, SIGNATURES_DIR
from .reproducible import write_atomic
from .signing import SIGNATURE_PAGE, sign


class WitnessError(Exception):
    """The session cannot be signed, amended or sealed; ``problems`` are the findings that
    stopped it (one line each); ``usage`` when what was asked was wrong (not the session)."""

    def __init__(self, message: str, problems: list[str] | None = None, usage: bool = False):
        super().__init__(message)
        self.problems = problems or []
        self.usage = usage


def finished_folder(path: Path | str, what: str) -> Path:
    """``path`` as a finished, exported session folder; raises :class:`WitnessError`."""
    folder = Path(path)
    if folder.is_file() and folder.name.endswith(".zip"):
        raise WitnessError(f"{folder} is a sealed bundle; {what} the session folder it was made "
                           "from (a bundle is never changed).")
    if not folder.is_dir():
        raise WitnessError(f"{folder} is not a folder; give a session folder.")
    db = folder / "session.sqlite"
    if not db.is_file():
        raise WitnessError(f"{folder} holds no session.sqlite; give a session folder written by "
                           "kperf.")
    if not is_finalised(db):
        raise WitnessError(f"the run of {folder} has not been finalised (it is still running, or "
                           "it was interrupted): wait for it to end, or run kperf export DIR for "
                           "an interrupted one.")
    if not (folder / MANIFEST_NAME).is_file():
        raise WitnessError(f"{folder} has no manifest.json; export it first (kperf export DIR).")
    return folder


def _intact(folder: Path, refused: str) -> None:
    files = verification.check_files(folder)
    if not files.intact:
        raise WitnessError(f"{folder} does not verify, so it is not {refused}; find out what "
                           "changed (kperf verify DIR).", files.problems)


def session_meta(folder: Path) -> dict[str, str]:
    try:
        with closing(open_readonly(Path(folder) / "session.sqlite")) as conn:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return {}


def points_of(folder: Path) -> list[int]:
    with closing(open_readonly(Path(folder) / "session.sqlite")) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM points WHERE id > 0 ORDER BY id")]


def sign_session(folder: Path | str, role: str, key: SigningKey, replace: bool = False) -> Path:
    """Sign a finished, intact session as ``role``."""
    folder = finished_folder(folder, "sign")
    _intact(folder, "signed")
    return sign(folder, role, key, replace=replace)


def amend_session(folder: Path | str, text: str, key: SigningKey | None = None,
                  author: str = "", point: int | None = None,
                  when: _dt.datetime | None = None) -> dict[str, Any]:
    """Append an amendment to a finished, intact session."""
    folder = finished_folder(folder, "add the note to")
    _intact(folder, "amended")
    if point is not None and point not in points_of(folder):
        known = ", ".join(map(str, points_of(folder))) or "none"
        raise WitnessError(f"the session has no point {point} (it has {known}).", usage=True)
    name = session_meta(folder).get("name", folder.name)
    return amendments.amend(folder, text, session_name=name, key=key, author=author,
                            point=point, when=when)


@dataclass
class Sealed:
    bundle: Path
    sha256: str
    verdict: verification.Verdict = field(default_factory=verification.Verdict)


def seal_session(folder: Path | str, out: Path | None = None) -> Sealed:
    """Write the signature page into ``signatures/`` and the bundle (beside the folder unless
    ``out`` says where). The page records the verification as sealed; a folder whose files do
    not verify is not sealed."""
    from .report import build_signature_page, session_language
    from .seal import bundle_path, write_bundle

    folder = finished_folder(folder, "seal")
    _intact(folder, "sealed")
    out = Path(out) if out is not None else bundle_path(folder)
    try:
        out.resolve().relative_to(folder.resolve())
    except ValueError:
        pass
    else:
        raise WitnessError("the bundle must not be written inside the session folder.")
    page = folder / SIGNATURES_DIR / SIGNATURE_PAGE
    page.unlink(missing_ok=True)
    verdict = verification.check(folder)
    with closing(open_readonly(folder / "session.sqlite")) as conn:
        lang = session_language(conn)
    digest = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    pdf = build_signature_page(folder.name, digest, verdict.signatures,
                               [a.text for a in amendments.check(folder)],
                               [f.text for f in verdict.findings], verdict.intact, lang)
    write_atomic(page, pdf)
    try:
        write_bundle(folder, out)
    except OSError as exc:
        raise WitnessError(f"{out} cannot be written ({exc.strerror}); choose another place.") from None
    return Sealed(out, hashlib.sha256(out.read_bytes()).hexdigest(), verdict)


def open_bundle(bundle: Path | str, under: Path | None = None) -> tuple[Path, verification.Verdict]:
    """Unpack a bundle into a new folder (read-only files) for viewing, and check it."""
    from .seal import make_read_only, unpack

    root = Path(tempfile.mkdtemp(prefix="kperf-bundle-", dir=under))
    folder = unpack(Path(bundle), root)
    make_read_only(folder)
    return folder, verification.check(folder)
