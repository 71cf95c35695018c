"""manifest.json: writing it, and verifying a session folder against it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kperf_gui.session.manifest import FORMAT, MANIFEST_NAME, verify, write_manifest

FILES = {
    "session.sqlite": b"SQLite format 3\x00" + bytes(range(256)) * 4,
    "plan.toml": '[session]\nname = "rngd-llama31-8b"\noperator = "박소연"\n'.encode("utf-8"),
    "results.xlsx": b"PK\x03\x04" + b"\x00" * 100,
    "summary.csv": b"point,unit\n1,token\n",
    "plots/power_vs_time.png": b"\x89PNG\r\n\x1a\n" + b"\x01" * 50,
    "plots/ttft_vs_concurrency.png": b"\x89PNG\r\n\x1a\n" + b"\x02" * 50,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "rngd-llama31-8b"
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def test_manifest_lists_every_file_with_its_sha256(folder):
    manifest = write_manifest(folder)
    assert manifest == {
        "format": FORMAT,
        "algorithm": "sha256",
        "files": {name: hashlib.sha256(FILES[name]).hexdigest() for name in sorted(FILES)},
    }
    assert json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")) == manifest


def test_manifest_text_is_deterministic(folder):
    write_manifest(folder)
    first = (folder / MANIFEST_NAME).read_bytes()
    assert write_manifest(folder) == json.loads(first)
    assert (folder / MANIFEST_NAME).read_bytes() == first
    text = first.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert list(json.loads(text)["files"]) == sorted(FILES)


def test_an_intact_folder_has_no_problems(folder):
    write_manifest(folder)
    assert verify(folder) == []


def test_verify_names_a_changed_byte(folder):
    write_manifest(folder)
    content = bytearray((folder / "results.xlsx").read_bytes())
    content[50] ^= 0x01
    (folder / "results.xlsx").write_bytes(bytes(content))
    assert verify(folder) == ["changed: results.xlsx"]


def test_verify_names_a_missing_file(folder):
    write_manifest(folder)
    (folder / "plots" / "power_vs_time.png").unlink()
    assert verify(folder) == ["missing: plots/power_vs_time.png"]


def test_verify_names_an_unlisted_file(folder):
    write_manifest(folder)
    (folder / "foo.txt").write_text("added later\n")
    (folder / "plots" / "extra.png").write_bytes(b"x")
    assert verify(folder) == ["unlisted: foo.txt", "unlisted: plots/extra.png"]


def test_verify_names_every_problem_at_once(folder):
    write_manifest(folder)
    (folder / "summary.csv").write_bytes(b"point,unit\n1,tokens\n")
    (folder / "plan.toml").unlink()
    (folder / "notes.txt").write_text("x")
    assert verify(folder) == ["missing: plan.toml", "changed: summary.csv", "unlisted: notes.txt"]


def test_a_rewritten_manifest_accepts_the_new_state(folder):
    write_manifest(folder)
    (folder / "plots" / "extra.png").write_bytes(b"x")
    write_manifest(folder)
    assert verify(folder) == []
    assert "plots/extra.png" in json.loads((folder / MANIFEST_NAME).read_text())["files"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "there is no manifest.json"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"format": "other/1", "algorithm": "sha256", "files": {}}', '"format"'),
        (b'{"format": "kperf-manifest/1", "algorithm": "md5", "files": {}}', '"algorithm"'),
        (b'{"format": "kperf-manifest/1", "algorithm": "sha256", "files": []}', '"files"'),
        (b'{"format": "kperf-manifest/1", "algorithm": "sha256", "files": {"../x": "' + b"0" * 64
         + b'"}}', "outside the folder"),
        (b'{"format": "kperf-manifest/1", "algorithm": "sha256", "files": {"/etc/passwd": "'
         + b"0" * 64 + b'"}}', "outside the folder"),
        (b'{"format": "kperf-manifest/1", "algorithm": "sha256", "files": {"plan.toml": 5}}',
         "not a SHA-256"),
    ],
    ids=["absent", "bad-json", "not-utf8", "format", "algorithm", "files", "dotdot", "absolute",
         "digest"],
)
def test_an_unusable_manifest_is_one_problem(folder, content, reason):
    if content is not None:
        (folder / MANIFEST_NAME).write_bytes(content)
    problems = verify(folder)
    assert len(problems) == 1
    assert problems[0].startswith("manifest.json missing or unreadable: ")
    assert reason in problems[0]
