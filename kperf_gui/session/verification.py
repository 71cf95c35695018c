"""``kperf verify``: what holds for a session folder or a sealed bundle, one fact per line.

The files against manifest.json, the journal's hash-chained event log, each role's signature,
the amendments and, for a bundle, the zip itself. A line that fails makes the whole check fail;
a missing signature fails only when it is required.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from . import amendments, manifest, signing
from .journal import check_chain, open_readonly


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


@dataclass
class Verdict:
    """Every finding in order; ``intact`` when none failed."""

    findings: list[Finding] = field(default_factory=list)
    signatures: list[signing.SignatureCheck] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def problems(self) -> list[str]:
        return [f.text for f in self.findings if not f.ok]

    def add(self, ok: bool, text: str) -> None:
        self.findings.append(Finding(ok, text))

    def signed_by(self) -> list[str]:
        return [c.role for c in self.signatures if c.valid]


def check_files(folder: Path) -> Verdict:
    """The files against the manifest and the event log's chain (what must hold before signing
    or amending)."""
    folder = Path(folder)
    verdict = Verdict()
    problems = manifest.verify(folder)
    if problems:
        for p in problems:
            verdict.add(False, p)
    else:
        count = len(manifest.folder_files(folder))
        verdict.add(True, f"files: all {count} match manifest.json")
    db = folder / "session.sqlite"
    if not db.is_file():
        return verdict
    if any("session.sqlite" in p for p in problems):
        verdict.add(False, "journal: not checked, session.sqlite does not match the manifest")
        return verdict
    try:
        with closing(open_readonly(db)) as conn:
            chain = check_chain(conn)
            count = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict.add(False, f"journal: cannot be read ({exc})")
        return verdict
    for p in chain:
        verdict.add(False, f"journal: {p}")
    if not chain:
        verdict.add(True, f"journal: event log of {count} events, chain unbroken")
    return verdict


def check(folder: Path, require: tuple[str, ...] = ()) -> Verdict:
    """Everything that holds for ``folder``; ``require`` names roles whose valid signature is
    required."""
    folder = Path(folder)
    verdict = check_files(folder)
    checks, problems = signing.check_signatures(folder)
    verdict.signatures = checks
    for c in checks:
        if not c.present:
            needed = c.role in require
            verdict.add(not needed, c.line() + (" (required)" if needed else ""))
        else:
            verdict.add(c.valid, c.line())
    for p in problems:
        verdict.add(False, p)
    for a in amendments.check(folder):
        verdict.add(a.ok, a.text)
    if (folder / manifest.SIGNATURES_DIR / signing.SIGNATURE_PAGE).is_file():
        verdict.add(True, f"{manifest.SIGNATURES_DIR}/{signing.SIGNATURE_PAGE}: present "
                    "(informative, outside the manifest)")
    return verdict


def parse_roles(text: str) -> tuple[str, ...]:
    """``operator,witness`` as a tuple; ValueError names an unknown role."""
    roles = tuple(r.strip() for r in text.split(",") if r.strip())
    bad = [r for r in roles if r not in signing.ROLES]
    if bad or not roles:
        raise ValueError(f"--require takes {','.join(signing.ROLES)} (or one of them), not "
                         f"{text!r}")
    return roles
