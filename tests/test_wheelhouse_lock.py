"""The wheelhouse's lock file (packaging/wheelhouse.py), without the network: what pip reads
from requirements.lock on each target is exactly what was downloaded for that target."""
from __future__ import annotations

import importlib.util
import re
import sys

from packaging.markers import Marker

from runhelp import ROOT

spec = importlib.util.spec_from_file_location("wheelhouse", ROOT / "packaging" / "wheelhouse.py")
wheelhouse = importlib.util.module_from_spec(spec)
sys.modules["wheelhouse"] = wheelhouse  # its dataclasses look their module up there
spec.loader.exec_module(wheelhouse)
Target = wheelhouse.Target

PROJECT = {"name": "kperf-lab", "version": "0.1.0", "extras": ["nvml"]}
LINUX11, LINUX12 = Target("linux", "3.11"), Target("linux", "3.12")
WIN11, WIN12 = Target("windows", "3.11"), Target("windows", "3.12")
RESOLVED = {
    LINUX11: ["kperf_lab-0.1.0-py3-none-any.whl", "numpy-2.3.1-cp311-cp311-manylinux_2_28_x86_64.whl",
              "pyserial-3.5-py2.py3-none-any.whl"],
    LINUX12: ["kperf_lab-0.1.0-py3-none-any.whl", "numpy-2.3.1-cp312-cp312-manylinux_2_28_x86_64.whl",
              "pyserial-3.5-py2.py3-none-any.whl"],
    WIN11: ["kperf_lab-0.1.0-py3-none-any.whl", "numpy-2.2.0-cp311-cp311-win_amd64.whl",
            "pyserial-3.5-py2.py3-none-any.whl", "colorama-0.4.6-py2.py3-none-any.whl"],
    WIN12: ["kperf_lab-0.1.0-py3-none-any.whl", "numpy-2.3.1-cp312-cp312-win_amd64.whl",
            "pyserial-3.5-py2.py3-none-any.whl", "colorama-0.4.6-py2.py3-none-any.whl"],
}


def lock(resolved):
    paths = {t: [wheelhouse.Path(name) for name in names] for t, names in resolved.items()}
    hashes = {name: f"{abs(hash(name)):064x}"[-64:] for names in resolved.values() for name in names}
    return wheelhouse.lock_lines(PROJECT, paths, hashes), hashes


def environment(target):
    return {"sys_platform": "linux" if target.system == "linux" else "win32",
            "python_version": target.python, "python_full_version": target.python + ".0",
            "platform_system": "Linux" if target.system == "linux" else "Windows",
            "platform_machine": "x86_64" if target.system == "linux" else "AMD64",
            "os_name": "posix" if target.system == "linux" else "nt",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "extra": ""}


def chosen(lines, target):
    """name==version that pip installs on ``target``: the entries whose marker holds there."""
    picked = set()
    for entry in lines:
        spec = entry.split(" \\\n")[0]
        requirement, _, marker = spec.partition(" ; ")
        if not marker or Marker(marker).evaluate(environment(target)):
            picked.add(re.sub(r"\[.*\]", "", requirement))
    return picked


def test_each_target_gets_exactly_the_wheels_downloaded_for_it():
    lines, _ = lock(RESOLVED)
    for target, names in RESOLVED.items():
        expected = {"{}=={}".format(*wheelhouse.wheel_name_version(n)) for n in names}
        assert chosen(lines, target) == expected, target.label


def test_shared_releases_have_no_marker_and_every_wheel_hash():
    lines, hashes = lock(RESOLVED)
    by_spec = {line.split(" \\\n")[0]: line for line in lines}
    assert lines[0].startswith("kperf-lab[nvml]==0.1.0 \\\n    --hash=sha256:")
    assert "pyserial==3.5" in by_spec
    numpy = by_spec['numpy==2.3.1 ; (sys_platform == "linux" and python_version == "3.11") or '
                    '(sys_platform == "linux" and python_version == "3.12") or '
                    '(sys_platform == "win32" and python_version == "3.12")']
    assert sorted(re.findall(r"sha256:(\w+)", numpy)) == sorted(
        hashes[n] for n in hashes if n.startswith("numpy-2.3.1"))
    assert 'numpy==2.2.0 ; (sys_platform == "win32" and python_version == "3.11")' in by_spec
    assert 'colorama==0.4.6 ; (sys_platform == "win32" and python_version == "3.11") or ' \
           '(sys_platform == "win32" and python_version == "3.12")' in by_spec


def test_wheel_names_and_platform_tags():
    assert wheelhouse.wheel_name_version("PySide6_Essentials-6.9.3-cp39-abi3-manylinux_2_28_x86_64.whl") \
        == ("pyside6-essentials", "6.9.3")
    assert wheelhouse.wheel_name_version("pkg-1.0-1-py3-none-any.whl") == ("pkg", "1.0")
    assert WIN12.pip_args()[-2:] == ["--platform", "win_amd64"]
    tags = LINUX11.platform_tags()
    assert tags[0] == "manylinux_2_28_x86_64" and tags[-2:] == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
    assert "--abi" in LINUX11.pip_args() and "cp311" in LINUX11.pip_args()


def test_developer_extras_stay_out_and_the_rest_come_from_pyproject():
    project = wheelhouse.read_project()
    assert project["name"] == "kperf-lab" and "nvml" in project["extras"]
    assert "test" not in project["extras"]
