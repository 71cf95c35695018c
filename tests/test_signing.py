"""Signatures, verify and the sealed bundle: a session signed by both verifies; each kind of
tampering fails with a line naming it; the zip verifies and a changed zip does not; a missing
signature is reported under --require."""
from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from kperf_gui.session import keys, signing, verification
from kperf_gui.session.export import export
from kperf_gui.session.journal import finalise
from runhelp import kperf
from witnesshelp import make_session


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    return make_session(tmp_path_factory.mktemp("s") / "witnessed")


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("KPERF_KEY_PASSPHRASE", raising=False)
    return tmp_path / "config"


@pytest.fixture
def signed(session, tmp_path, config) -> Path:
    """A copy of the session signed by operator and witness with keys of the config folder."""
    folder = tmp_path / "witnessed"
    shutil.copytree(session, folder)
    op = keys.new_key("J. Kim")
    wi = keys.new_key("S. Park")
    signing.sign(folder, "operator", keys.load_key(op.name))
    signing.sign(folder, "witness", keys.load_key(wi.name))
    return folder


def lines(folder: Path, *extra: str) -> tuple[int, list[str]]:
    r = kperf("verify", folder, *extra)
    assert not r.stderr or "kperf:" in r.stderr, r.stderr
    return r.returncode, r.stdout.splitlines()


# --- keys -----------------------------------------------------------------------------------


def test_keys_live_in_the_config_folder_and_list_their_fingerprints(config):
    made = keys.new_key("J. Kim")
    assert made.private_path.parent == config / "K-Perf Lab" / "keys"
    assert made.private_path.stat().st_mode & 0o077 == 0  # the owner's only
    assert b"PRIVATE KEY" in made.private_path.read_bytes()
    assert [k.name for k in keys.list_keys()] == ["J. Kim"]
    assert keys.list_keys()[0].fingerprint == made.fingerprint == keys.load_key(None).fingerprint
    with pytest.raises(keys.KeyProblem, match="already exists"):
        keys.new_key("J. Kim")
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65, "a:b"):
        with pytest.raises(keys.KeyProblem):
            keys.new_key(bad)
    r = kperf("keys", "list")
    assert r.returncode == 0 and "J. Kim" in r.stdout
    assert keys.short_fingerprint(made.fingerprint) in r.stdout


def test_the_only_key_is_used_and_several_need_a_name(config):
    with pytest.raises(keys.KeyProblem, match="no signing key yet"):
        keys.load_key(None)
    keys.new_key("a")
    assert keys.load_key(None).name == "a"
    keys.new_key("b")
    with pytest.raises(keys.KeyProblem, match="several keys"):
        keys.load_key(None)
    assert keys.load_key("b").name == "b"
    with pytest.raises(keys.KeyProblem, match="No key called 'c'"):
        keys.load_key("c")


def test_a_key_file_from_a_usb_stick_with_a_passphrase(config, tmp_path, monkeypatch):
    stick = tmp_path / "usb"
    made = keys.new_key("S. Park", passphrase=b"correct horse", folder=stick)
    assert keys.is_encrypted(made.private_path)
    with pytest.raises(keys.KeyProblem, match="passphrase"):
        keys.load_key(str(made.private_path))
    with pytest.raises(keys.KeyProblem, match="wrong"):
        keys.load_key(str(made.private_path), lambda what: b"wrong")
    key = keys.load_key(str(made.private_path), lambda what: b"correct horse")
    assert key.name == "S. Park" and key.fingerprint == made.fingerprint
    assert keys.list_keys() == []  # the stick's key never entered the config folder


def test_a_key_inside_the_session_is_refused(session, tmp_path, config):
    folder = tmp_path / "s"
    shutil.copytree(session, folder)
    made = keys.new_key("J. Kim", folder=folder / "keys")
    with pytest.raises(signing.SigningError, match="inside the session folder"):
        signing.sign(folder, "operator", keys.load_key(str(made.private_path)))


# --- signed and intact --------------------------------------------------------------------


def test_signed_by_both_verifies_and_says_by_whom(signed):
    code, out = lines(signed, "--require", "operator,witness")
    assert code == 0, out
    op = next(l for l in out if l.startswith("signature operator:"))
    fp = keys.short_fingerprint(keys.load_key("J. Kim").fingerprint)
    assert op.startswith("signature operator: valid, signed by J. Kim, fingerprint " + fp)
    assert any(l.startswith("signature witness: valid, signed by S. Park") for l in out)
    assert out[0].startswith("files: all ") and "match manifest.json" in out[0]
    assert any(l.startswith("journal: event log of") and "chain unbroken" in l for l in out)
    assert out[-1].endswith("intact, signed by operator and witness")
    record = json.loads((signed / "signatures" / "operator.json").read_text())
    assert set(record) == {"format", "role", "signer", "public_key", "fingerprint",
                           "signed_utc", "manifest_sha256", "signature", "statement_signature"}
    manifest = json.loads((signed / "manifest.json").read_text())["files"]
    assert "report.pdf" in manifest
    assert not any(n.startswith("signatures/") or n == "amendments.jsonl" for n in manifest)


def test_cli_signs_with_the_only_key_and_names_the_session_person(session, tmp_path, config):
    folder = tmp_path / "s"
    shutil.copytree(session, folder)
    keys.new_key("Someone Else")
    r = kperf("sign", folder, "--as", "operator")
    assert r.returncode == 0, r.stderr
    assert "Signed" in r.stdout and "The session names the operator 'J. Kim'" in r.stdout
    r = kperf("sign", folder, "--as", "operator")
    assert r.returncode == 1 and "already signed as operator" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_missing_signature_fails_only_when_required(session, tmp_path, config):
    folder = tmp_path / "s"
    shutil.copytree(session, folder)
    signing.sign(folder, "operator", keys.load_key(keys.new_key("J. Kim").name))
    code, out = lines(folder)
    assert code == 0 and "signature witness: missing" in out
    code, out = lines(folder, "--require", "operator,witness")
    assert code == 1
    assert "signature witness: missing (required)" in out
    assert out[-1].endswith("NOT intact (1 problem(s))")
    r = kperf("verify", folder, "--require", "operator,notary")
    assert r.returncode == 2 and "--require" in r.stderr


def test_one_key_cannot_sign_as_both(session, tmp_path, config):
    folder = tmp_path / "s"
    shutil.copytree(session, folder)
    key = keys.load_key(keys.new_key("J. Kim").name)
    signing.sign(folder, "operator", key)
    signing.sign(folder, "witness", key)
    code, out = lines(folder, "--require", "operator,witness")
    assert code == 1 and any("signed with the same key" in l for l in out)


# --- tampering: each kind fails with a line naming it ------------------------------------------


def flip(path: Path, at: int = -20) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name, expected", [
    ("results.xlsx", "changed: results.xlsx"),
    ("plots/power_vs_time.png", "changed: plots/power_vs_time.png"),
    ("report.pdf", "changed: report.pdf"),
])
def test_a_changed_byte_is_named(signed, name, expected):
    flip(signed / name)
    code, out = lines(signed, "--require", "operator,witness")
    assert code == 1 and expected in out


def test_a_changed_csv_line_is_named(signed):
    path = signed / "summary.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",True,", ",False,") if ",True," in rows[1] else rows[1] + "0"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out = lines(signed)
    assert code == 1 and "changed: summary.csv" in out


def test_an_edited_reading_exported_again_fails_the_signatures(signed):
    db = signed / "session.sqlite"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE readings SET watts = watts * 0.8")
    conn.close()
    finalise(db)
    r = kperf("export", signed)
    assert r.returncode == 0 and "no longer hold" in r.stdout
    code, out = lines(signed, "--require", "operator,witness")
    assert code == 1
    assert any(l.startswith("files: all") for l in out)  # the files match the new manifest...
    for role in ("operator", "witness"):  # ...but no signature does
        assert any(l.startswith(f"signature {role}: INVALID") and "does not match manifest.json"
                   in l for l in out), out


def test_a_changed_signature_is_named(signed):
    path = signed / "signatures" / "witness.json"
    record = json.loads(path.read_text())
    record["signer"] = "Somebody Else"
    path.write_text(json.dumps(record))
    code, out = lines(signed)
    assert code == 1
    line = next(l for l in out if l.startswith("signature witness:"))
    assert "INVALID" in line and "changed after signing" in line
    record = json.loads((signed / "signatures" / "operator.json").read_text())
    record["signature"] = record["signature"][:-4] + ("AAA=" if record["signature"][-4:] != "AAA=" else "BBB=")
    (signed / "signatures" / "operator.json").write_text(json.dumps(record))
    code, out = lines(signed)
    assert any(l.startswith("signature operator: INVALID") for l in out)


def test_a_changed_manifest_is_named(signed):
    path = signed / "manifest.json"
    path.write_text(path.read_text().replace('"sha256"', '"sha256" '))
    code, out = lines(signed)
    assert code == 1
    assert any(l.startswith("signature operator: INVALID") for l in out)
    assert any(l.startswith("signature witness: INVALID") for l in out)


def test_a_file_slipped_into_signatures_is_named(signed):
    (signed / "signatures" / "notes.txt").write_text("hello")
    code, out = lines(signed)
    assert code == 1 and "unlisted: signatures/notes.txt (not a signature)" in out


def test_an_edited_event_log_is_named(signed):
    db = signed / "session.sqlite"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE events SET message = 'nothing happened' WHERE kind = 'session'")
    conn.close()
    finalise(db)
    export(signed)
    verdict = verification.check(signed, ("operator", "witness"))
    assert not verdict.intact
    assert any(p.startswith("journal: event") and "changed" in p for p in verdict.problems)


# --- the sealed bundle ------------------------------------------------------------------------


def test_seal_is_byte_reproducible_and_verifies_like_the_folder(signed, tmp_path):
    r = kperf("seal", signed)
    assert r.returncode == 0, r.stderr
    bundle = signed.parent / "witnessed.kperf.zip"
    first = bundle.read_bytes()
    assert (signed / "signatures" / "signature-page.pdf").is_file()
    assert kperf("seal", signed).returncode == 0
    assert bundle.read_bytes() == first
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        assert names == sorted(names) and all(n.startswith("witnessed/") for n in names)
        assert "witnessed/signatures/operator.json" in names
        assert {i.date_time for i in z.infolist()} == {(2026, 3, 14, 9, 30, 0)}
    code, out = lines(bundle, "--require", "operator,witness")
    assert code == 0, out
    assert out[0].startswith("bundle: witnessed.kperf.zip holds")
    assert out[-1].endswith("intact, signed by operator and witness")
    folder_code, folder_out = lines(signed, "--require", "operator,witness")
    assert folder_out[:-1] == out[1:-1]  # the same facts as the folder


def test_a_changed_zip_does_not_verify(signed, tmp_path):
    assert kperf("seal", signed, "--out", tmp_path / "b.kperf.zip").returncode == 0
    bundle = tmp_path / "b.kperf.zip"
    damaged = tmp_path / "damaged.kperf.zip"
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as z:
        info = z.getinfo("witnessed/summary.csv")
    data[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF
    damaged.write_bytes(bytes(data))
    code, out = lines(damaged)
    assert code == 1 and any("summary.csv" in l for l in out)
    rebuilt = tmp_path / "rebuilt.kperf.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(rebuilt, "w") as dst:
        for i in src.infolist():
            body = src.read(i)
            if i.filename.endswith("results.xlsx"):
                body = body[:-1] + bytes([body[-1] ^ 1])
            dst.writestr(i, body)
    code, out = lines(rebuilt)
    assert code == 1 and "changed: results.xlsx" in out


def test_an_unsafe_zip_is_refused(tmp_path):
    bad = tmp_path / "bad.kperf.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("witnessed/../../evil.txt", "x")
    code, out = lines(bad)
    assert code == 1 and any("unsafe entry" in l for l in out)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_seal_refuses_a_folder_that_does_not_verify(signed):
    flip(signed / "results.xlsx")
    r = kperf("seal", signed)
    assert r.returncode == 1 and "not sealed" in r.stderr
    assert not (signed.parent / "witnessed.kperf.zip").exists()
