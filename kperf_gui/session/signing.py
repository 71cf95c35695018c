"""Signatures of a finished session: ``signatures/operator.json`` and ``signatures/witness.json``.

Each signature file holds the signer's name, the role, the Ed25519 public key (raw, base64), its
fingerprint, the UTC time and two signatures by that key:

- ``signature`` over manifest.json's bytes exactly, which cover every other file of the session
  (CONTRACT.md);
- ``statement_signature`` over the canonical JSON of the file's other fields (format, role,
  signer, public key, fingerprint, time and the manifest's SHA-256), so that the name, the role
  and the time cannot be changed either.

A later export rewrites manifest.json, so every existing signature stops matching: an edited
journal exported again can never carry its old signatures along.
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
from .manifest import MANIFEST_NAME, SIGNATURES_DIR
from .reproducible import write_atomic

FORMAT = "kperf-signature/1"
ROLES = ("operator", "witness")
SIGNATURE_PAGE = "signature-page.pdf"
"""The page ``kperf seal`` adds beside the signatures (informative, outside the manifest)."""
_STATEMENT_FIELDS = ("format", "role", "signer", "public_key", "fingerprint", "signed_utc",
                     "manifest_sha256")


class SigningError(Exception):
    """The folder cannot be signed; the message says why and what to do."""


def canonical(obj: dict[str, Any]) -> bytes:
    """The canonical UTF-8 JSON bytes a statement is signed as."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def utc_text(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def signature_path(folder: Path, role: str) -> Path:
    return Path(folder) / SIGNATURES_DIR / f"{role}.json"


def make_signature(manifest_bytes: bytes, role: str, key: SigningKey,
                   when: _dt.datetime) -> dict[str, Any]:
    """The signature record of ``role`` by ``key`` over a manifest's bytes."""
    if role not in ROLES:
        raise SigningError(f"--as must be one of {', '.join(ROLES)}, not {role!r}.")
    statement = {
        "format": FORMAT, "role": role, "signer": key.name, "public_key": public_b64(key.public),
        "fingerprint": key.fingerprint, "signed_utc": utc_text(when),
        "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
    }
    record = dict(statement)
    record["signature"] = base64.b64encode(key.private.sign(manifest_bytes)).decode("ascii")
    record["statement_signature"] = base64.b64encode(
        key.private.sign(canonical(statement))).decode("ascii")
    return record


def sign(folder: Path, role: str, key: SigningKey, when: _dt.datetime | None = None,
         replace: bool = False) -> Path:
    """Write ``signatures/<role>.json`` over the folder's manifest. The caller checks first that
    the folder is intact (:func:`kperf_gui.session.verification.check`)."""
    folder = Path(folder)
    if role not in ROLES:
        raise SigningError(f"--as must be one of {', '.join(ROLES)}, not {role!r}.")
    try:
        key.source.resolve().relative_to(folder.resolve())
    except ValueError:
        pass
    else:
        raise SigningError(f"The key file {key.source} is inside the session folder; a private "
                           "key must never be kept with a session. Move it elsewhere (a USB "
                           "stick or kperf keys new).")
    manifest = folder / MANIFEST_NAME
    try:
        data = manifest.read_bytes()
    except OSError:
        raise SigningError(f"{folder} has no readable manifest.json; export the session first "
                           "(kperf export).") from None
    path = signature_path(folder, role)
    if path.exists() and not replace:
        raise SigningError(f"{path} already exists; the session is already signed as {role}. "
                           "Use --replace to sign again (the old signature is lost).")
    record = make_signature(data, role, key, when or _dt.datetime.now(_dt.timezone.utc))
    write_atomic(path, (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
                 .encode("utf-8"))
    return path


@dataclass(frozen=True)
class SignatureCheck:
    """What holds for one role's signature."""

    role: str
    present: bool
    valid: bool = False
    signer: str = ""
    fingerprint: str = ""
    signed_utc: str = ""
    problem: str = ""

    def line(self) -> str:
        if not self.present:
            return f"signature {self.role}: missing"
        if self.valid:
            return (f"signature {self.role}: valid, signed by {self.signer}, fingerprint "
                    f"{short_fingerprint(self.fingerprint)}, {self.signed_utc}")
        who = f" (claims {self.signer})" if self.signer else ""
        return f"signature {self.role}: INVALID{who}: {self.problem}"


def check_signature(record_bytes: bytes, manifest_bytes: bytes | None, role: str) -> SignatureCheck:
    """Check one signature file's bytes against the manifest's bytes."""
    try:
        record = json.loads(record_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return SignatureCheck(role, True, problem=f"the file is not valid JSON ({exc})")
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return SignatureCheck(role, True, problem=f'its "format" is not "{FORMAT}"')
    signer = str(record.get("signer", ""))
    base: dict[str, Any] = {"role": role, "present": True, "signer": signer,
            "fingerprint": str(record.get("fingerprint", "")),
            "signed_utc": str(record.get("signed_utc", ""))}
    missing = [f for f in _STATEMENT_FIELDS + ("signature", "statement_signature")
               if not isinstance(record.get(f), str)]
    if missing:
        return SignatureCheck(**base, problem=f"it lacks {', '.join(missing)}")
    if record["role"] != role:
        return SignatureCheck(**base, problem=f"it was made for the role {record['role']!r}, "
                              f"not {role!r}")
    try:
        public = public_from_b64(record["public_key"])
        sig = base64.b64decode(record["signature"], validate=True)
        statement_sig = base64.b64decode(record["statement_signature"], validate=True)
    except ValueError as exc:
        return SignatureCheck(**base, problem=f"it cannot be read ({exc})")
    if fingerprint(public) != record["fingerprint"]:
        return SignatureCheck(**base, problem="its fingerprint is not that of its public key")
    statement = {f: record[f] for f in _STATEMENT_FIELDS}
    try:
        public.verify(statement_sig, canonical(statement))
    except InvalidSignature:
        return SignatureCheck(**base, problem="its signer, role, time or key was changed after "
                              "signing")
    if manifest_bytes is None:
        return SignatureCheck(**base, problem="there is no manifest.json to check it against")
    if hashlib.sha256(manifest_bytes).hexdigest() != record["manifest_sha256"]:
        return SignatureCheck(**base, problem="it does not match manifest.json: the session was "
                              "exported again or the manifest changed after signing")
    try:
        public.verify(sig, manifest_bytes)
    except InvalidSignature:
        return SignatureCheck(**base, problem="the signature over manifest.json does not verify")
    return SignatureCheck(**base, valid=True)


def check_signatures(folder: Path) -> tuple[list[SignatureCheck], list[str]]:
    """Every role's signature in ``folder``, and problems with the signatures folder itself
    (unknown files in it, one key signing as both roles)."""
    folder = Path(folder)
    try:
        manifest_bytes: bytes | None = (folder / MANIFEST_NAME).read_bytes()
    except OSError:
        manifest_bytes = None
    checks = []
    for role in ROLES:
        path = signature_path(folder, role)
        if not path.is_file():
            checks.append(SignatureCheck(role, False))
            continue
        try:
            checks.append(check_signature(path.read_bytes(), manifest_bytes, role))
        except OSError as exc:
            checks.append(SignatureCheck(role, True, problem=f"it cannot be read ({exc.strerror})"))
    problems = []
    sigdir = folder / SIGNATURES_DIR
    if sigdir.is_dir():
        known = {f"{r}.json" for r in ROLES} | {SIGNATURE_PAGE}
        for p in sorted(sigdir.rglob("*")):
            if p.is_file() and p.relative_to(sigdir).as_posix() not in known:
                problems.append(f"unlisted: {p.relative_to(folder).as_posix()} (not a signature)")
    valid = [c for c in checks if c.valid]
    if len(valid) == 2 and valid[0].fingerprint == valid[1].fingerprint:
        problems.append("signatures: operator and witness signed with the same key "
                        f"({short_fingerprint(valid[0].fingerprint)}); each person signs with "
                        "their own key")
    return checks, problems
