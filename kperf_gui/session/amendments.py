"""Notes: in the journal while a run is going, amendments after it was finalised.

During a run a note is an event of kind ``note`` in the journal's hash-chained event log
(:func:`note_event`; the run calls it for its ``note TEXT`` command). After the run was finalised
nothing recorded may change, so a note becomes an amendment: one JSON line appended to
``amendments.jsonl``, outside the manifest. Each amendment names what it amends (the session as
its manifest.json stands, by SHA-256, and optionally one sweep point), is chained to the one
before it (the first to the manifest's digest) and is signed when a key is given. Nothing in the
folder is edited: session.sqlite, the exports and the manifest keep their bytes, so existing
signatures stay valid.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from .keys import SigningKey, fingerprint, public_b64, public_from_b64, short_fingerprint
from .manifest import AMENDMENTS_NAME, MANIFEST_NAME
from .signing import canonical, utc_text

FORMAT = "kperf-amendment/1"
NOTE_EVENT = "note"
MAX_TEXT = 10_000


class AmendmentError(Exception):
    """The note cannot be added; the message says why and what to do."""


def note_event(journal: Any, t_ns: int, text: str, author: str = "") -> None:
    """Journal a note during a run (``journal`` is the run's
    :class:`kperf_gui.session.journal.Journal`); it lands in the hash-chained event log."""
    text = check_text(text)
    journal.put_event(t_ns, NOTE_EVENT, text, {"author": author} if author else None)


def check_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise AmendmentError("The note is empty; write what should be on record.")
    if len(text) > MAX_TEXT:
        raise AmendmentError(f"The note is longer than {MAX_TEXT} characters; shorten it.")
    return text


def _hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def read(folder: Path) -> list[dict[str, Any]]:
    """The amendments of ``folder`` in order (empty when there are none). ValueError names a
    line that is not a JSON object."""
    path = Path(folder) / AMENDMENTS_NAME
    if not path.is_file():
        return []
    return parse(path.read_bytes())


def parse(data: bytes) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {i} is not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise ValueError(f"line {i} is not a JSON object")
        out.append(record)
    return out


def amend(folder: Path, text: str, *, session_name: str, key: SigningKey | None = None,
          author: str = "", point: int | None = None, when: _dt.datetime | None = None
          ) -> dict[str, Any]:
    """Append one amendment to ``folder/amendments.jsonl`` and return it. The caller checks
    first that the session is finalised and intact."""
    folder = Path(folder)
    text = check_text(text)
    try:
        manifest_digest = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        raise AmendmentError(f"{folder} has no manifest.json; a note after the run amends the "
                             "exported session, so export it first (kperf export).") from None
    try:
        earlier = read(folder)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise AmendmentError(f"{AMENDMENTS_NAME} cannot be read ({exc}); it was damaged, so "
                             "nothing is added to it.") from None
    prev = earlier[-1].get("hash") if earlier else manifest_digest
    record: dict[str, Any] = {
        "format": FORMAT,
        "seq": len(earlier) + 1,
        "prev": prev,
        "utc": utc_text(when or _dt.datetime.now(_dt.timezone.utc)),
        "author": key.name if key is not None else author.strip(),
        "amends": {"session": session_name, "manifest_sha256": manifest_digest,
                   "point": point},
        "text": text,
        "signer": None,
        "signature": None,
    }
    if key is not None:
        record["signer"] = {"name": key.name, "public_key": public_b64(key.public),
                            "fingerprint": key.fingerprint}
        unsigned = {k: v for k, v in record.items() if k != "signature"}
        record["signature"] = base64.b64encode(key.private.sign(canonical(unsigned))).decode("ascii")
    record["hash"] = _hash(record)
    line = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    with open(folder / AMENDMENTS_NAME, "ab") as f:
        f.write(line.encode("utf-8"))
    return record


@dataclass(frozen=True)
class AmendmentCheck:
    seq: int
    ok: bool
    text: str


def describe(record: dict[str, Any]) -> str:
    """What an amendment says, in one line."""
    amends = record.get("amends") or {}
    what = f"point {amends['point']}" if isinstance(amends, dict) and amends.get("point") else \
        "the session"
    signer = record.get("signer")
    by = record.get("author") or "unnamed"
    sig = (f"signed by {signer.get('name')}, fingerprint "
           f"{short_fingerprint(str(signer.get('fingerprint', '')))}"
           if isinstance(signer, dict) else "unsigned")
    text = " ".join(str(record.get("text", "")).split())
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{record.get('utc', '?')} by {by}, {sig}; amends {what}: \"{text}\""


def check(folder: Path) -> list[AmendmentCheck]:
    """Every amendment, checked: its chain, its hash, its signature and that it amends the
    session as its manifest now stands."""
    folder = Path(folder)
    path = folder / AMENDMENTS_NAME
    if not path.is_file():
        return []
    try:
        data = path.read_bytes()
        manifest_digest = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError as exc:
        return [AmendmentCheck(0, False, f"amendments: cannot be read ({exc.strerror})")]
    return check_bytes(data, manifest_digest)


def check_bytes(data: bytes, manifest_digest: str) -> list[AmendmentCheck]:
    try:
        records = parse(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return [AmendmentCheck(0, False, f"amendments: {AMENDMENTS_NAME} is damaged ({exc})")]
    out = []
    prev: Any = manifest_digest
    for i, record in enumerate(records, 1):
        problems = []
        if record.get("format") != FORMAT:
            problems.append(f'its "format" is not "{FORMAT}"')
        if record.get("seq") != i:
            problems.append(f"it is numbered {record.get('seq')!r}, not {i}: one was removed or "
                            "moved")
        if record.get("prev") != prev:
            problems.append("the chain is broken (it does not follow the one before it)")
        if record.get("hash") != _hash(record):
            problems.append("its content was changed after it was written")
        amends = record.get("amends")
        if not isinstance(amends, dict) or amends.get("manifest_sha256") != manifest_digest:
            problems.append("it amends a different export of the session (manifest.json changed "
                            "since)")
        signer = record.get("signer")
        if signer is not None:
            problems += _signature_problems(record, signer)
        prev = record.get("hash")
        head = f"amendment {i}: "
        if problems:
            out.append(AmendmentCheck(i, False, head + "INVALID: " + "; ".join(problems)))
        else:
            out.append(AmendmentCheck(i, True, head + describe(record)))
    return out


def _signature_problems(record: dict[str, Any], signer: Any) -> list[str]:
    if not isinstance(signer, dict) or not isinstance(record.get("signature"), str):
        return ["its signer or signature cannot be read"]
    try:
        public = public_from_b64(str(signer.get("public_key", "")))
        sig = base64.b64decode(record["signature"], validate=True)
    except ValueError as exc:
        return [f"its signature cannot be read ({exc})"]
    if fingerprint(public) != signer.get("fingerprint"):
        return ["its fingerprint is not that of its public key"]
    unsigned = {k: v for k, v in record.items() if k not in ("signature", "hash")}
    try:
        public.verify(sig, canonical(unsigned))
    except InvalidSignature:
        return ["its signature does not verify"]
    return []
