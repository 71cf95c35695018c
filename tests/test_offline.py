"""Installing and running with no internet (packaging/): the wheelhouse, the offline install,
the one-folder bundle and its window.

Slow (minutes) and needing the package index to build the wheelhouse: marked ``slow``. They run
in every CI run (``bash scripts/test.sh``); ``bash scripts/test.sh -m "not slow"`` leaves them
out while developing. Where something they need is missing (Xvfb, the index) they fail and say
what, never skip.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from runhelp import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

PY = f"{sys.version_info.major}.{sys.version_info.minor}"
#: Where a person can find the screenshots afterwards (also printed by the tests).
SHOTS = Path(os.environ.get("KPERF_SCREENSHOTS", "")) if os.environ.get("KPERF_SCREENSHOTS") else None


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without pip settings or a user's language, with its own home."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "LC_", "XDG_")) and k not in ("LANGUAGE", "LANG", "VIRTUAL_ENV")}
    env.update({"HOME": str(home), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", **extra})
    return env


def run(cmd, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    print(f"$ {' '.join(map(str, cmd))}  -> exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done


def without_network(cmd: list[str]) -> tuple[list[str], str]:
    """``cmd`` in a network namespace of its own (loopback only) where this machine allows one;
    else ``cmd`` as it is, and the reason."""
    probe = subprocess.run(["unshare", "--net", "sh", "-c", "ip link set lo up"],
                           capture_output=True, text=True) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        why = "unshare is missing" if probe is None else probe.stderr.strip()
        return cmd, f"no network namespace here ({why}); only --no-index keeps pip offline"
    script = 'ip link set lo up && exec "$@"'
    return ["unshare", "--net", "sh", "-c", script, "sh", *cmd], ""


# ---------------------------------------------------------------- the wheelhouse


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("offline") / "wheelhouse"
    started = time.monotonic()
    done = run(["bash", "packaging/build_wheelhouse.sh", str(out), "--platform", "linux",
                "--python", PY], timeout=1200, cwd=ROOT, env=dict(os.environ, PYTHON=sys.executable))
    assert done.returncode == 0, "building the wheelhouse failed (needs the package index)"
    print(f"wheelhouse built in {time.monotonic() - started:.0f} s")
    return out


def read_lock(path: Path) -> dict[str, tuple[str, str, list[str]]]:
    """name -> (spec, marker, hashes) from requirements.lock."""
    entries = {}
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spec, _, rest = line.partition(" --hash=")
        requirement, _, marker = spec.partition(";")
        hashes = re.findall(r"sha256:([0-9a-f]{64})", line)
        name = normalise(re.split(r"[\[=]", requirement.strip())[0])
        entries[name] = (requirement.strip(), marker.strip(), hashes)
    return entries


def test_the_lock_pins_every_dependency_from_pyproject_with_the_hash_of_every_wheel(wheelhouse):
    import hashlib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = read_lock(wheelhouse / "requirements.lock")
    wheels = sorted((wheelhouse / "wheels").glob("*.whl"))
    assert wheels
    # every requirement of pyproject.toml, the nvml extra included, is pinned; test tools are not
    wanted = [*project["dependencies"], *project["optional-dependencies"]["nvml"]]
    for requirement in wanted:
        name = normalise(re.split(r"[<>=!~ \[;]", requirement)[0])
        assert name in lock, f"{name} (from pyproject.toml) is not in requirements.lock"
    assert "pytest" not in lock
    own = lock[normalise(project["name"])]
    assert own[0] == f"{normalise(project['name'])}[nvml]=={project['version']}"
    # exact versions, and each wheel's SHA-256 under its own entry
    for name, (requirement, marker, hashes) in lock.items():
        assert re.fullmatch(r"[a-z0-9-]+(\[[a-z0-9,-]+\])?==[^=\s]+", requirement), requirement
        assert hashes, f"{name} has no hash"
        assert marker == "", "one target: no line needs a marker"
    for wheel in wheels:
        name = normalise(wheel.name.split("-")[0])
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        assert digest in lock[name][2], f"{wheel.name}: its hash is not in the lock"


def test_offline_install_passes_its_self_check_with_no_index_and_no_network(wheelhouse, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    cmd, caveat = without_network(["bash", str(wheelhouse / "install_offline.sh"), str(wheelhouse),
                                   str(venv), "--instrument-access", "no"])
    if caveat:
        print(f"NOTE: {caveat}")
    started = time.monotonic()
    done = run(cmd, timeout=900, env=clean_env(home, PIP_NO_INDEX="1"), stdin=subprocess.DEVNULL)
    print(f"offline install and self-check took {time.monotonic() - started:.0f} s")
    assert done.returncode == 0
    out = done.stdout
    assert "kperf demo passed (run finished: 6 point(s), 6 valid.); its session verified intact." in out
    assert f"The app:        {venv}/bin/kperf-gui   (applications menu: K-Perf Lab)" in out
    assert f"Sessions go to: {home}/Documents/K-Perf Lab" in out
    assert f"sudo bash {wheelhouse}/linux/instrument-access.sh" in out
    # the menu entry starts this installation's app
    entry = (home / ".local/share/applications/kperf-lab.desktop").read_text(encoding="utf-8")
    assert f'Exec="{venv}/bin/kperf-gui"' in entry
    assert (home / ".local/share/icons/hicolor/scalable/apps/kperf-lab.svg").is_file()
    # the extras came along, and the window opens with the wheelhouse's Qt
    probe = ("import pynvml, usb, libusb_package; from kperf_gui.ui.app import start; "
             "c = start([]); print(c.window.windowTitle())")
    window = run([str(venv / "bin/python"), "-c", probe], timeout=120,
                 env=clean_env(home, QT_QPA_PLATFORM="offscreen"))
    assert window.returncode == 0 and "K-Perf Lab" in window.stdout


def test_a_damaged_wheel_is_refused_by_its_hash(wheelhouse, tmp_path):
    copy = tmp_path / "wheelhouse"
    shutil.copytree(wheelhouse, copy, ignore=shutil.ignore_patterns("*.whl"))
    for wheel in (wheelhouse / "wheels").glob("*.whl"):
        (copy / "wheels" / wheel.name).symlink_to(wheel)
    victim = next((copy / "wheels").glob("pyserial-*.whl"))
    data = victim.resolve().read_bytes()
    victim.unlink()
    victim.write_bytes(data + b"\0")
    done = run(["bash", str(copy / "install_offline.sh"), str(copy), str(tmp_path / "venv"),
                "--instrument-access", "no"], timeout=600, env=clean_env(tmp_path, PIP_NO_INDEX="1"),
               stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in done.stderr
    assert "the wheelhouse copy is damaged: copy it again." in done.stderr


# ---------------------------------------------------------------- the bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    done = run(["bash", "packaging/build_bundle.sh", str(dist)], timeout=1200, cwd=ROOT,
               env=dict(os.environ, PYTHON=sys.executable))
    assert done.returncode == 0, "building the bundle failed"
    assert done.stdout.rstrip().endswith("All checks passed."), "the bundle's self-check failed"
    assert "ok   Korean translation: kperf_ko.qm loaded" in done.stdout
    print(f"bundle built and self-checked in {time.monotonic() - started:.0f} s")
    return dist / "kperf-lab"


def test_the_bundle_carries_the_translation_the_sim_files_and_the_linux_files(bundle):
    shipped = bundle / "_internal"
    assert (shipped / "resources/translations/kperf_ko.qm").is_file()
    sims = sorted(p.name for p in (shipped / "resources/sim").glob("*.yaml"))
    assert sims == sorted(p.name for p in (ROOT / "resources/sim").glob("*.yaml"))
    for name in ("70-kperf-lab.rules", "kperf-lab.desktop", "add-to-menu.sh", "instrument-access.sh"):
        assert (shipped / "linux" / name).is_file()
    # no developer tools in the bundle
    assert not list(shipped.glob("pytest*")) and not list(shipped.glob("hypothesis*"))


def test_the_bundle_runs_kperf_demo_with_its_child_processes(bundle, tmp_path, check_shape):
    out = tmp_path / "demo"
    done = run([str(bundle / "kperf-lab"), "demo", "--out", str(out)], timeout=300,
               env=clean_env(tmp_path))
    assert done.returncode == 0
    assert "Run finished: 6 point(s), 6 valid." in done.stdout
    verified = run([str(bundle / "kperf-lab"), "verify", str(out)], timeout=120, env=clean_env(tmp_path))
    assert verified.returncode == 0 and "intact" in verified.stdout
    check_shape(out)  # last: it skips where the contract's checker is not beside the project


class Xvfb:
    """A virtual X display of 1366x768 for the bundle's real window."""

    def __init__(self) -> None:
        exe = shutil.which("Xvfb")
        assert exe, "Xvfb is missing: install the Debian package xvfb (scripts/system-packages.txt)"
        assert shutil.which("xwininfo"), "xwininfo is missing: install the Debian package x11-utils"
        read, write = os.pipe()
        self.proc = subprocess.Popen([exe, "-displayfd", str(write), "-screen", "0", "1366x768x24",
                                      "-nolisten", "tcp"], pass_fds=(write,),
                                     stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        assert number, "Xvfb did not start"
        self.display = f":{number}"

    def windows(self) -> list[tuple[str, int, int]]:
        """(title, width, height) of every named top-level window."""
        tree = subprocess.run(["xwininfo", "-root", "-children", "-display", self.display],
                              capture_output=True, text=True).stdout
        return [(m[1], int(m[2]), int(m[3]))
                for m in re.finditer(r'0x[0-9a-f]+ "(.*)": \(.*\)\s+(\d+)x(\d+)\+', tree)]

    def screenshot(self, path: Path) -> None:
        grab = ("import sys; from PySide6.QtGui import QGuiApplication; "
                "app = QGuiApplication([sys.argv[0], '-platform', 'xcb']); "
                "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)")
        env = dict(os.environ, DISPLAY=self.display)
        env.pop("QT_QPA_PLATFORM", None)
        done = subprocess.run([sys.executable, "-c", grab, str(path)], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def distinct_colours(path: Path) -> int:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    return len({image.pixel(x, y) for x in range(0, image.width(), 7)
                for y in range(0, image.height(), 7)})


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_bundle_window_opens_and_runs_the_demo_under_xvfb(bundle, tmp_path, lang, check_shape):
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, DISPLAY="", LANG={"ko": "ko_KR.UTF-8", "en": "en_US.UTF-8"}[lang])
    env.pop("QT_QPA_PLATFORM", None)
    x = Xvfb()
    app = None
    try:
        env["DISPLAY"] = x.display
        # Korean: --demo starts the demo sweep from the window, which runs the bundle's own
        # executable as the run (and that as the simulated endpoint); English: the window alone
        args = [str(bundle / "kperf-lab"), *(["--demo"] if lang == "ko" else [])]
        app = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
        sessions = home / "Documents" / "K-Perf Lab"
        deadline = time.monotonic() + (240 if lang == "ko" else 60)
        title = ""
        while time.monotonic() < deadline and app.poll() is None:
            big = [w for w in x.windows() if w[1] > 400 and w[2] > 300]
            title = big[0][0] if big else ""
            demo_done = lang != "ko" or any(sessions.glob("*/manifest.json"))
            if title and demo_done:
                break
            time.sleep(1)
        assert app.poll() is None, f"the app ended early:\n{app.stdout.read()}"
        # "<session> — K-Perf Lab", the app's name once (Qt adds it unless the title ends so)
        assert title.endswith("K-Perf Lab") and title.count("K-Perf Lab") == 1, \
            f"no K-Perf Lab window (windows: {x.windows()})"
        finished = list(sessions.glob("*/manifest.json"))
        if lang == "ko":
            assert finished, "the demo started from the window wrote no finished session"
        time.sleep(2)  # the last repaint
        shot = tmp_path / f"bundle-window-{lang}.png"
        x.screenshot(shot)
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy2(shot, SHOTS / shot.name)
        print(f"window title: {title!r}; screenshot: {shot}")
        assert distinct_colours(shot) > 20, "the screenshot is blank: the window did not paint"
        if finished:
            check_shape(finished[0].parent)  # last: it skips where the checker is not beside us
    finally:
        if app is not None and app.poll() is None:
            os.killpg(app.pid, signal.SIGTERM)
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(app.pid, signal.SIGKILL)
                app.wait(5)
        x.close()
