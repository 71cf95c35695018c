"""manifest.json: the SHA-256 of every file of a session folder, and the check against it.

What is added after the manifest, and so cannot be covered by it, is left out: ``signatures/``
(each signature signs the manifest's bytes) and ``amendments.jsonl`` (notes added after the run
was finalised, chained to the manifest's digest).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from kperf_gui.session.reproducible import write_atomic

MANIFEST_NAME = "manifest.json"
FORMAT = "kperf-manifest/1"
ALGORITHM = "sha256"
_CHUNK = 1 << 20
SIGNATURES_DIR = "signatures"
AMENDMENTS_NAME = "amendments.jsonl"


def outside_manifest(name: str) -> bool:
    """Whether a folder-relative POSIX path is one the manifest leaves out."""
    return name == MANIFEST_NAME or name == AMENDMENTS_NAME or name.startswith(f"{SIGNATURES_DIR}/")


def file_digest(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Every file under ``folder`` the manifest covers (all but itself, signatures/ and
    amendments.jsonl), as sorted relative POSIX paths."""
    folder = Path(folder)
    names = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(n for n in names if not outside_manifest(n))


def write_manifest(folder: Path) -> dict:
    """Hash every file under ``folder`` into ``folder/manifest.json``; returns what was written."""
    folder = Path(folder)
    manifest = {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "files": {name: file_digest(folder / name) for name in folder_files(folder)},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_atomic(folder / MANIFEST_NAME, text.encode("utf-8"))
    return manifest


def verify(folder: Path) -> list[str]:
    """Problems of ``folder`` against its manifest, one line each; an empty list when intact."""
    folder = Path(folder)
    try:
        listed = _listed_files(folder / MANIFEST_NAME)
    except (OSError, ValueError) as error:
        return [f"{MANIFEST_NAME} missing or unreadable: {error}"]
    problems = []
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"missing: {name}")
            continue
        try:
            actual = file_digest(path)
        except OSError as error:
            problems.append(f"unreadable: {name} ({error.strerror or error})")
            continue
        if actual != expected.lower():
            problems.append(f"changed: {name}")
    problems += [f"unlisted: {name}" for name in folder_files(folder) if name not in listed]
    return problems


def _listed_files(path: Path) -> dict[str, str]:
    """The ``files`` table of a manifest; ValueError names what is wrong with it."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("there is no manifest.json in the folder; export the session again") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"it is not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"it is not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f'its "format" is not "{FORMAT}"')
    if manifest.get("algorithm") != ALGORITHM:
        raise ValueError(f'its "algorithm" is not "{ALGORITHM}"')
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise ValueError('its "files" is not a table of path to digest')
    for name, digest in files.items():
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
            raise ValueError(f"it lists a path outside the folder: {name}")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError(f"its digest for {name} is not a SHA-256 hex digest")
    return files
