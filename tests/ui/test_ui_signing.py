"""The witness bar on Results: sign as operator and as witness, add a note, seal, and open the
sealed bundle read-only; in English and Korean, drawn at 1366x768 (to $KPERF_SHOTS when set)."""
import os
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from kperf_gui.session import amendments, keys, verification
from kperf_gui.ui import signing, translation
from kperf_gui.ui.main_window import MainWindow
from kperf_gui.ui.signing import NoteDialog, SignDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from witnesshelp import make_session  # noqa: E402


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "keys-config"))
    return tmp_path / "keys-config"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return make_session(tmp_path_factory.mktemp("ui-witness") / "witnessed", family="vllm",
                        requests=16, output_tokens=128)


def accept(monkeypatch, cls, fill):
    def exec_(self):
        fill(self)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(cls, "exec", exec_)


def choose_key(dialog_keys, name):
    dialog_keys.reload(name)
    assert dialog_keys.spec() == name


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sign_note_seal_and_open_the_bundle(app, qtbot, lang, made, tmp_path, config,
                                            monkeypatch):
    shots = Path(os.environ.get("KPERF_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "witnessed"
    shutil.copytree(made, folder)
    keys.new_key("J. Kim")
    keys.new_key("S. Park")
    translation.install(lang)
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.tabs.setCurrentWidget(w.results)
    res, bar = w.results, w.results.witness
    res.open_session(folder)
    qtbot.waitUntil(lambda: bar.verdict is not None, timeout=30_000)
    assert bar.verdict.intact and bar.verdict.signed_by() == []
    assert bar.sign_operator.isEnabled() and bar.sign_witness.isEnabled()
    assert bar.sign_operator.text() == ("Sign as operator" if lang == "en" else "시험자로 서명")

    accept(monkeypatch, SignDialog, lambda d: choose_key(d.keys, "J. Kim"))
    bar.sign_operator.click()
    qtbot.waitUntil(lambda: bar.verdict is not None and bar.verdict.signed_by() == ["operator"],
                    timeout=30_000)
    accept(monkeypatch, SignDialog, lambda d: choose_key(d.keys, "S. Park"))
    bar.sign_witness.click()
    qtbot.waitUntil(lambda: bar.verdict is not None and len(bar.verdict.signed_by()) == 2,
                    timeout=30_000)
    assert verification.check(folder, ("operator", "witness")).intact

    def note(d):
        d.text.setPlainText("Point 1 ran with PSU B on element 2" if lang == "en"
                            else "1번 지점은 PSU B를 2번 소자에 연결해 측정")
        d.point.setValue(1)
        choose_key(d.keys, "J. Kim")
    accept(monkeypatch, NoteDialog, note)
    bar.note_button.click()
    qtbot.waitUntil(lambda: bar.verdict is not None and any(
        f.text.startswith("amendment 1:") for f in bar.verdict.findings), timeout=30_000)
    record = amendments.read(folder)[0]
    assert record["amends"]["point"] == 1 and record["signer"]["name"] == "J. Kim"
    assert ("1" in bar.state.text()) and bar.verdict.intact
    w.results.tabs.setCurrentIndex(0)
    qtbot.wait(50)
    w.grab().save(str(shots / f"{lang}-results-signed.png"))

    bundle = tmp_path / "witnessed.kperf.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bundle), ""))
    bar.seal_button.click()
    qtbot.waitUntil(lambda: bundle.is_file() and not bar.busy, timeout=30_000)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bundle), ""))
    res.data = None
    bar.open_bundle_button.click()
    qtbot.waitUntil(lambda: res.data is not None and bar.read_only and bar.verdict is not None,
                    timeout=30_000)
    assert res.folder == bar.bundle_folder and res.folder != folder
    assert not bar.sign_operator.isEnabled() and not bar.note_button.isEnabled()
    assert not bar.seal_button.isEnabled() and not res.export_button.isEnabled()
    assert bar.verdict.intact and len(bar.verdict.signed_by()) == 2
    assert ("sealed bundle, read-only" if lang == "en" else "봉인 파일, 읽기 전용") in bar.state.text()
    assert all(p.stat().st_mode & 0o222 == 0 for p in res.folder.rglob("*") if p.is_file())
    w.results.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    w.grab().save(str(shots / f"{lang}-results-bundle.png"))
    signing._remove_unpacked()
    signing._unpacked.clear()
    translation.install("en")


def test_a_session_that_does_not_verify_says_so(app, qtbot, made, tmp_path, config):
    folder = tmp_path / "witnessed"
    shutil.copytree(made, folder)
    data = bytearray((folder / "results.xlsx").read_bytes())
    data[-30] ^= 1
    (folder / "results.xlsx").write_bytes(bytes(data))
    bar = signing.WitnessBar()
    qtbot.addWidget(bar)
    logged = []
    bar.logged.connect(lambda level, text: logged.append((level, text)))
    bar.show_session(folder)
    qtbot.waitUntil(lambda: bar.verdict is not None, timeout=30_000)
    assert not bar.verdict.intact and bar.state.text().startswith("NOT intact")
    assert ("error", "changed: results.xlsx") in logged


def test_the_apps_language_goes_into_the_plan_it_runs(app, qtbot, monkeypatch):
    from kperf_gui.session.plan import parse

    started = []
    translation.remember_language("ko")
    w = MainWindow()
    qtbot.addWidget(w)
    monkeypatch.setattr(w.run, "start_run", lambda text, out: started.append(text))
    w.start()
    qtbot.waitUntil(lambda: bool(started), timeout=20_000)
    assert parse(started[0]).session.language == "ko"
    assert "language" not in w.plan_dict()["session"]  # saved plans stay as they were
    translation.remember_language("en")
