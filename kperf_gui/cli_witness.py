"""The witness commands of the headless face: ``kperf keys | sign | verify | seal | note |
report`` (CONTRACT.md). Each prints one line per fact and, for a mistake a user can make, one
line that says what to do; never a traceback."""
from __future__ import annotations

import argparse
import getpass
import hashlib
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


def _session_folder(path: str, what: str) -> Path | str:
    """The session folder ``path`` names, or the one-line reason it cannot be used."""
    from kperf_gui.session.journal import is_finalised

    folder = Path(path)
    if folder.is_file() and folder.name.endswith(".zip"):
        return (f"{folder} is a sealed bundle; {what} the session folder it was made from "
                "(a bundle is never changed).")
    if not folder.is_dir():
        return f"{folder} is not a folder; give a session folder."
    db = folder / "session.sqlite"
    if not db.is_file():
        return f"{folder} holds no session.sqlite; give a session folder written by kperf."
    try:
        finished = is_finalised(db)
    except OSError as exc:
        return f"{db} cannot be read ({exc.strerror})."
    if not finished:
        return (f"the run of {folder} has not been finalised (it is still running, or it was "
                "interrupted): wait for it to end, or run kperf export DIR for an interrupted "
                "one.")
    if not (folder / "manifest.json").is_file():
        return f"{folder} has no manifest.json; export it first (kperf export DIR)."
    return folder


def _meta(folder: Path) -> dict[str, str]:
    from kperf_gui.session.journal import open_readonly

    try:
        with closing(open_readonly(folder / "session.sqlite")) as conn:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return {}


def _print_problems(verdict) -> None:  # type: ignore[no-untyped-def]
    for line in verdict.problems:
        print(line)


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
    from kperf_gui.session import verification
    from kperf_gui.session.keys import KeyProblem, load_key, short_fingerprint
    from kperf_gui.session.signing import SigningError, sign

    folder = _session_folder(args.dir, "sign")
    if isinstance(folder, str):
        return _fail(folder)
    verdict = verification.check_files(folder)
    if not verdict.intact:
        _print_problems(verdict)
        return _fail(f"{folder} does not verify, so it is not signed; find out what changed "
                     "(kperf verify DIR).")
    try:
        key = load_key(args.key, _asker(), name=args.name)
        path = sign(folder, args.role, key, replace=args.replace)
    except (KeyProblem, SigningError) as exc:
        return _fail(str(exc))
    print(f"Signed {folder} as {args.role}: {key.name}, fingerprint "
          f"{short_fingerprint(key.fingerprint)}; wrote {path.relative_to(folder).as_posix()}.")
    named = _meta(folder).get(args.role, "")
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
    from kperf_gui.session import amendments, verification
    from kperf_gui.session.journal import open_readonly
    from kperf_gui.session.manifest import MANIFEST_NAME, SIGNATURES_DIR
    from kperf_gui.session.report import build_signature_page, session_language
    from kperf_gui.session.reproducible import write_atomic
    from kperf_gui.session.seal import bundle_path, write_bundle
    from kperf_gui.session.signing import SIGNATURE_PAGE

    folder = _session_folder(args.dir, "seal")
    if isinstance(folder, str):
        return _fail(folder)
    files = verification.check_files(folder)
    if not files.intact:
        _print_problems(files)
        return _fail(f"{folder} does not verify, so it is not sealed; find out what changed "
                     "(kperf verify DIR).")
    page = folder / SIGNATURES_DIR / SIGNATURE_PAGE
    page.unlink(missing_ok=True)
    verdict = verification.check(folder)
    with closing(open_readonly(folder / "session.sqlite")) as conn:
        lang = session_language(conn)
    manifest_digest = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
    pdf = build_signature_page(folder.name, manifest_digest, verdict.signatures,
                               [a.text for a in amendments.check(folder)],
                               [f.text for f in verdict.findings], verdict.intact, lang)
    write_atomic(page, pdf)
    out = Path(args.out) if args.out else bundle_path(folder)
    try:
        out.resolve().relative_to(folder.resolve())
    except ValueError:
        pass
    else:
        return _fail("--out must not be inside the session folder.", EXIT_USAGE)
    try:
        write_bundle(folder, out)
    except OSError as exc:
        return _fail(f"{out} cannot be written ({exc.strerror}); choose another place with --out.")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    for f in verdict.findings:
        print(f.text)
    print(f"Sealed {folder} into {out} ({out.stat().st_size} bytes, SHA-256 {digest}).")
    if not verdict.intact:
        print("  The signature page records the problems above; the bundle does not verify "
              "until they are solved.")
        return EXIT_FAILED
    return EXIT_OK


# --- note ----------------------------------------------------------------------------------


def cmd_note(args: argparse.Namespace) -> int:
    from kperf_gui.session import verification
    from kperf_gui.session.amendments import AmendmentError, amend
    from kperf_gui.session.keys import KeyProblem, list_keys, load_key, short_fingerprint

    folder = _session_folder(args.dir, "add the note to")
    if isinstance(folder, str):
        return _fail(folder + " During a run, add notes in the app or type note TEXT on the "
                     "run's terminal.")
    files = verification.check_files(folder)
    if not files.intact:
        _print_problems(files)
        return _fail(f"{folder} does not verify, so nothing is added to it (kperf verify DIR).")
    meta = _meta(folder)
    if args.point is not None:
        from kperf_gui.session.journal import open_readonly

        with closing(open_readonly(folder / "session.sqlite")) as conn:
            known = {r[0] for r in conn.execute("SELECT id FROM points WHERE id > 0")}
        if args.point not in known:
            return _fail(f"--point {args.point}: the session has no such point "
                         f"({', '.join(map(str, sorted(known))) or 'none'}).", EXIT_USAGE)
    key = None
    try:
        if args.key:
            key = load_key(args.key, _asker(), name=args.name)
        elif not args.unsigned:
            stored = list_keys()
            if len(stored) == 1:
                key = load_key(None, _asker(), name=args.name)
            elif len(stored) > 1:
                return _fail("there are several keys; sign the note with --key NAME, or add "
                             "it --unsigned.", EXIT_USAGE)
        record = amend(folder, args.text, session_name=meta.get("name", folder.name), key=key,
                       author=args.name or "", point=args.point)
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
    from kperf_gui.session.load import load
    from kperf_gui.session.report import REPORT_EVENT, ReportError, session_language, write_report

    folder = _session_folder(args.dir, "write the report of")
    if isinstance(folder, str):
        return _fail(folder)
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


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
