"""Notes: in the journal's event log during a run; after finalisation, signed hash-chained
amendments that leave every recorded byte as it was."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kperf_gui.session import amendments, keys, signing, verification
from kperf_gui.session.journal import Journal, check_chain, open_readonly
from runhelp import kperf
from witnesshelp import make_session


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    return make_session(tmp_path_factory.mktemp("a") / "witnessed",
                        notes=("PSU B fan noisy during point 1",))


@pytest.fixture
def folder(session, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    copy = tmp_path / "witnessed"
    shutil.copytree(session, copy)
    return copy


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and p.name != "amendments.jsonl"}


def test_a_note_during_the_run_is_in_the_event_log_and_the_report(session):
    from contextlib import closing

    with closing(open_readonly(session / "session.sqlite")) as conn:
        rows = conn.execute("SELECT kind, message FROM events WHERE kind = 'note'").fetchall()
        assert rows == [("note", "PSU B fan noisy during point 1")]
        assert check_chain(conn) == []
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(session / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "note: PSU B fan noisy during point 1" in text


def test_note_event_goes_through_the_runs_journal(tmp_path):
    j = Journal(tmp_path / "session.sqlite", flush_s=0.01)
    amendments.note_event(j, 5, "  lead re-seated  ", author="J. Kim")
    with pytest.raises(amendments.AmendmentError):
        amendments.note_event(j, 6, "   ")
    j.close()
    from contextlib import closing

    with closing(open_readonly(tmp_path / "session.sqlite")) as conn:
        rows = conn.execute("SELECT t_ns, kind, message, data FROM events").fetchall()
        assert rows == [(5, "note", "lead re-seated", '{"author": "J. Kim"}')]
        assert check_chain(conn) == []


def test_an_amendment_after_finalisation_verifies_and_changes_nothing_recorded(folder):
    op = keys.load_key(keys.new_key("J. Kim").name)
    wi = keys.load_key(keys.new_key("S. Park").name)
    signing.sign(folder, "operator", op)
    signing.sign(folder, "witness", wi)
    before = digests(folder)
    r = kperf("note", folder, "Point 1 ran with PSU B on element 2", "--point", "1",
              "--key", "J. Kim")
    assert r.returncode == 0, r.stderr
    assert "Amendment 1 to point 1" in r.stdout and "signed by J. Kim" in r.stdout
    r = kperf("note", folder, "Witness agrees", "--key", "S. Park")
    assert r.returncode == 0, r.stderr
    assert digests(folder) == before  # the journal, exports, manifest and signatures: untouched
    records = amendments.read(folder)
    assert [a["seq"] for a in records] == [1, 2]
    manifest_digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert records[0]["prev"] == manifest_digest and records[1]["prev"] == records[0]["hash"]
    assert records[0]["amends"] == {"session": "witnessed", "manifest_sha256": manifest_digest,
                                    "point": 1}
    r = kperf("verify", folder, "--require", "operator,witness")
    assert r.returncode == 0, r.stdout
    out = r.stdout.splitlines()
    assert any(l.startswith("amendment 1: ") and "signed by J. Kim" in l and "amends point 1" in l
               for l in out)
    assert any(l.startswith("amendment 2: ") and "amends the session" in l for l in out)


def test_a_changed_or_removed_amendment_fails(folder):
    keys.new_key("J. Kim")
    for text in ("first", "second", "third"):
        assert kperf("note", folder, text).returncode == 0
    path = folder / "amendments.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[1])
    edited["text"] = "something else"
    path.write_text("\n".join([lines[0], json.dumps(edited), lines[2]]) + "\n", encoding="utf-8")
    problems = verification.check(folder).problems
    assert any(p.startswith("amendment 2: INVALID") and "changed after it was written" in p
               for p in problems)
    path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    problems = verification.check(folder).problems
    assert any(p.startswith("amendment 2: INVALID") and "chain is broken" in p for p in problems)


def test_unsigned_amendments_and_several_keys(folder):
    r = kperf("note", folder, "no key on this machine", "--name", "J. Kim")
    assert r.returncode == 0 and "unsigned" in r.stdout
    assert amendments.read(folder)[0]["signer"] is None
    assert amendments.read(folder)[0]["author"] == "J. Kim"
    keys.new_key("a")
    keys.new_key("b")
    r = kperf("note", folder, "which key?")
    assert r.returncode == 2 and "several keys" in r.stderr
    assert kperf("note", folder, "on purpose", "--unsigned").returncode == 0
    assert verification.check(folder).intact


def test_an_amendment_to_a_later_export_is_flagged(folder):
    keys.new_key("J. Kim")
    assert kperf("note", folder, "before re-export").returncode == 0
    assert kperf("export", folder).returncode == 0
    problems = verification.check(folder).problems
    assert any("amends a different export" in p for p in problems)


def test_notes_are_refused_for_an_unfinished_session_or_a_wrong_point(folder, tmp_path):
    r = kperf("note", folder, "x", "--point", "7", "--unsigned")
    assert r.returncode == 2 and "has no point 7 (it has 1)" in r.stderr
    live = tmp_path / "live"
    live.mkdir()
    j = Journal(live / "session.sqlite")
    j.put_event(0, "session", "started")
    j.flush()
    r = kperf("note", live, "during the run", "--unsigned")
    j.close()
    assert r.returncode == 1 and "has not been finalised" in r.stderr
    assert "note TEXT" in r.stderr and "Traceback" not in r.stderr
