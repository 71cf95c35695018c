"""The witness commands of the headless face: ``kperf keys | sign | verify | seal | note |
report`` (CONTRACT.md). Each prints one line per fact and, for a mistake a user can make, one
line that says what to do; never a traceback."""
from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Callable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PASSPHRASE_ENV = "KPERF_KEY_PASSPHRASE"


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"kperf: {message}", file=sys.stderr)
    return code


def _asker() -> Callable[[str], bytes | None]:
    """How a key's passphrase is asked: the environment (scripts), else the terminal."""
    def ask(what: str) -> bytes | None:
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            return env.encode("utf-8")
        if not sys.stdin.isatty():
            return None
        try:
            return getpass.getpass(f"Passphrase for {what}: ").encode("utf-8") or None
        except (EOFError, KeyboardInterrupt):
            return None

    return ask


def _refused(exc) -> int:  # type: ignore[no-untyped-def]
    """Print what stopped a witness action, then its one-line reason."""
    for line in getattr(exc, "problems", []):
        print(line)
    return _fail(str(exc))


def signatures_note(folder: Path) -> str | None:
    """A line for commands that rewrite the manifest of a signed session."""
    from kperf_gui.session.signing import ROLES, signature_path

    signed = [r for r in ROLES if signature_path(folder, r).is_file()]
    if not signed:
        return None
    return (f"Note: manifest.json changed, so the existing signatures ({', '.join(signed)}) no "
            "longer hold; the session must be signed again.")


# --- keys --------------------------------------------------------------------------------


def cmd_keys_new(args: argparse.Namespace) -> int:
    from kperf_gui.session.keys import KeyProblem, new_key, short_fingerprint

    passphrase = None
    if args.passphrase:
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            passphrase = env.encode("utf-8")
        elif sys.stdin.isatty():
            first = getpass.getpass("Passphrase for the new key: ")
            if first != getpass.getpass("The same passphrase again: "):
                return _fail("the two passphrases differ; nothing was made.")
            passphrase = first.encode("utf-8") or None
        else:
            return _fail(f"--passphrase needs a terminal to ask on, or {PASSPHRASE_ENV} set.",
                         EXIT_USAGE)
    try:
        key = new_key(args.name, passphrase)
    except KeyProblem as exc:
        return _fail(str(exc), EXIT_USAGE)
    print(f"Key {key.name} made: fingerprint {short_fingerprint(key.fingerprint)} "
          f"(SHA-256 {key.fingerprint}).")
    print(f"  private key: {key.private_path} (keep it to yourself; a copy on a USB stick signs "
          "with --key FILE)")
    print(f"  public key:  {key.public_path}")
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    from kperf_gui.session.keys import keys_dir, list_keys, short_fingerprint

    found = list_keys()
    if not found:
        print(f"No keys in {keys_dir()}. Make one with: kperf keys new NAME")
        return EXIT_OK
    print(f"Keys in {keys_dir()}:")
    for k in found:
        fp = short_fingerprint(k.fingerprint) if k.fingerprint else "public key unreadable"
        print(f"  {k.name:24s} {fp}")
    return EXIT_OK


# --- sign ----------------------------------------------------------------------------------


def cmd_sign(args: argparse.Namespace) -> int:
    from kperf_gui.session.keys import KeyProblem, load_key, short_fingerprint
    from kperf_gui.session.signing import SigningError
    from kperf_gui.session.witness import WitnessError, finished_folder, session_meta, sign_session

    try:
        folder = finished_folder(args.dir, "sign")
        key = load_key(args.key, _asker(), name=args.name)
        path = sign_session(folder, args.role, key, replace=args.replace)
    except (KeyProblem, SigningError, WitnessError) as exc:
        return _refused(exc)
    print(f"Signed {folder} as {args.role}: {key.name}, fingerprint "
          f"{short_fingerprint(key.fingerprint)}; wrote {path.relative_to(folder).as_posix()}.")
    named = session_meta(folder).get(args.role, "")
    if named and named != key.name:
        print(f"  The session names the {args.role} {named!r}; the key's name is {key.name!r}.")
    return EXIT_OK


# --- verify --------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    from kperf_gui.session import verification
    from kperf_gui.session.seal import BundleError, unpacked

    try:
        require = verification.parse_roles(args.require) if args.require else ()
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    target = Path(args.dir)
    if target.is_file():
        if not zipfile.is_zipfile(target):
            return _fail(f"{target} is neither a session folder nor a .kperf.zip bundle.")
        try:
            with unpacked(target) as folder:
                count = sum(1 for p in folder.rglob("*") if p.is_file())
                print(f"bundle: {target.name} holds {count} files of {folder.name}, every CRC "
                      "intact")
                verdict = verification.check(folder, require)
        except BundleError as exc:
            print(exc)
            print(f"{target}: NOT intact (the bundle is damaged)")
            return EXIT_FAILED
    elif target.is_dir():
        verdict = verification.check(target, require)
    else:
        return _fail(f"{target} does not exist; give a session folder or a .kperf.zip bundle.")
    for f in verdict.findings:
        print(f.text)
    if verdict.intact:
        signed = verdict.signed_by()
        by = f", signed by {' and '.join(signed)}" if signed else ", not signed"
        print(f"{target}: intact{by}")
        return EXIT_OK
    print(f"{target}: NOT intact ({len(verdict.problems)} problem(s))")
    return EXIT_FAILED


# --- seal ----------------------------------------------------------------------------------


def cmd_seal(args: argparse.Namespace) -> int:
    from kperf_gui.session.witness import WitnessError, seal_session

    try:
        sealed = seal_session(args.dir, Path(args.out) if args.out else None)
    except WitnessError as exc:
        return _refused(exc)
    for f in sealed.verdict.findings:
        print(f.text)
    print(f"Sealed {args.dir} into {sealed.bundle} ({sealed.bundle.stat().st_size} bytes, "
          f"SHA-256 {sealed.sha256}).")
    if not sealed.verdict.intact:
        print("  The signature page records the problems above; the bundle does not verify "
              "until they are solved.")
        return EXIT_FAILED
    return EXIT_OK


# --- note ----------------------------------------------------------------------------------


def cmd_note(args: argparse.Namespace) -> int:
    from kperf_gui.session.amendments import AmendmentError
    from kperf_gui.session.keys import KeyProblem, list_keys, load_key, short_fingerprint
    from kperf_gui.session.witness import WitnessError, amend_session, finished_folder

    try:
        folder = finished_folder(args.dir, "add the note to")
    except WitnessError as exc:
        return _fail(f"{exc} During a run, add notes in the app or type note TEXT on the run's "
                     "terminal.")
    key = None
    try:
        if args.key:
            key = load_key(args.key, _asker(), name=args.name)
        elif not args.unsigned:
            stored = list_keys()
            if len(stored) > 1:
                return _fail("there are several keys; sign the note with --key NAME, or add "
                             "it --unsigned.", EXIT_USAGE)
            if stored:
                key = load_key(None, _asker(), name=args.name)
        record = amend_session(folder, args.text, key=key, author=args.name or "",
                               point=args.point)
    except WitnessError as exc:
        if exc.usage:
            return _fail(f"--point {args.point}: {exc}", EXIT_USAGE)
        return _refused(exc)
    except (KeyProblem, AmendmentError) as exc:
        return _fail(str(exc))
    how = (f"signed by {key.name}, fingerprint {short_fingerprint(key.fingerprint)}"
           if key is not None else "unsigned (give --key NAME|FILE to sign it)")
    what = f"point {args.point}" if args.point is not None else "the session"
    print(f"Amendment {record['seq']} to {what} added to {folder / 'amendments.jsonl'}: {how}.")
    return EXIT_OK


# --- report --------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from kperf_gui.session import manifest
    from kperf_gui.session.journal import append_event, finalise, open_readonly
    from kperf_gui.session.journal_reader import load
    from kperf_gui.session.report import REPORT_EVENT, ReportError, session_language, write_report
    from kperf_gui.session.witness import WitnessError, finished_folder

    try:
        folder = finished_folder(args.dir, "write the report of")
    except WitnessError as exc:
        return _fail(str(exc))
    db = folder / "session.sqlite"
    try:
        with closing(open_readonly(db)) as conn:
            recorded = session_language(conn)
        if args.lang and args.lang != recorded:
            append_event(db, REPORT_EVENT, f"report.pdf written in {args.lang}",
                         {"language": args.lang})
            finalise(db)
        with closing(open_readonly(db)) as conn:
            data = load(conn)
        before = (folder / manifest.MANIFEST_NAME).read_bytes()
        result = write_report(folder, data)
    except (sqlite3.DatabaseError, ReportError) as exc:
        return _fail(f"{db} cannot be read ({exc}).")
    manifest.write_manifest(folder)
    for n in result.notes:
        print(f"Note: {n}")
    print(f"Wrote {result.path} ({result.language}).")
    if (folder / manifest.MANIFEST_NAME).read_bytes() != before:
        note = signatures_note(folder)
        if note:
            print(note)
    return EXIT_OK


# --- the parser ----------------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction) -> None:
    k = sub.add_parser("keys", help="make and list Ed25519 signing keys (kept in your config "
                       "folder, never in a session)")
    ks = k.add_subparsers(dest="keys_command", required=True)
    kn = ks.add_parser("new", help="make a key pair")
    kn.add_argument("name", help="the key's name: the signer's name in signatures")
    kn.add_argument("--passphrase", action="store_true",
                    help=f"protect the private key with a passphrase (asked, or {PASSPHRASE_ENV})")
    kn.set_defaults(func=cmd_keys_new)
    kl = ks.add_parser("list", help="names and fingerprints")
    kl.set_defaults(func=cmd_keys_list)

    s = sub.add_parser("sign", help="sign a finished session as operator or witness")
    s.add_argument("dir", help="the session folder")
    s.add_argument("--as", dest="role", required=True, choices=("operator", "witness"))
    s.add_argument("--key", help="a key from kperf keys list, or a private key file (the only "
                   "key when there is one)")
    s.add_argument("--name", help="the signer's name (default: the key's name)")
    s.add_argument("--replace", action="store_true", help="replace an existing signature")
    s.set_defaults(func=cmd_sign)

    v = sub.add_parser("verify", help="check a session folder or .kperf.zip: files, event chain, "
                       "signatures, amendments")
    v.add_argument("dir", help="a session folder or a .kperf.zip bundle")
    v.add_argument("--require", help="roles whose valid signature is required, e.g. "
                   "operator,witness")
    v.set_defaults(func=cmd_verify)

    z = sub.add_parser("seal", help="write <folder>.kperf.zip, byte-reproducible, with a "
                       "signature page")
    z.add_argument("dir", help="the session folder")
    z.add_argument("--out", help="the bundle to write (default: beside the folder)")
    z.set_defaults(func=cmd_seal)

    n = sub.add_parser("note", help="add a note; after the run, a hash-chained amendment")
    n.add_argument("dir", help="the session folder")
    n.add_argument("text", help="the note")
    n.add_argument("--point", type=int, help="the sweep point the note is about")
    n.add_argument("--key", help="sign with this key or key file (default: the only key)")
    n.add_argument("--name", help="who writes it (default: the key's name)")
    n.add_argument("--unsigned", action="store_true", help="add it without a signature")
    n.set_defaults(func=cmd_note)

    r = sub.add_parser("report", help="(re)write report.pdf, the printable test report")
    r.add_argument("dir", help="the session folder")
    r.add_argument("--lang", choices=("en", "ko"), help="the report's language (recorded; "
                   "default: the session's)")
    r.set_defaults(func=cmd_report)
