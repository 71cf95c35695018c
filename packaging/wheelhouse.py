"""Builds K-Perf Lab's offline wheelhouse: the project's wheel and every wheel it needs, for
Linux x86-64 and Windows x64 on Python 3.11 and 3.12, with a lock file of exact versions and
SHA-256 hashes that ``pip install --no-index --require-hashes`` accepts.

Run through ``packaging/build_wheelhouse.sh OUT_DIR [--platform linux|windows|all]`` on a machine
that reaches the package index. What is downloaded comes from pyproject.toml: ``dependencies``
and every optional extra except the developer ones in :data:`DEVELOPER_EXTRAS` (tests are not in
the wheel, so their tools would be of no use in a lab).

The wheelhouse folder::

    OUT_DIR/
      wheels/               every wheel, for every target
      requirements.lock     name==version ; marker --hash=sha256:... (one marker per line where
                            the targets differ)
      wheelhouse.json       project, version, extras, targets, build time
      install_offline.sh    \
      install_offline.ps1    } copied from packaging/, so the folder is all a lab needs
      linux/                / (udev rule, desktop entry, instrument-access script)
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

#: Extras for developers, left out of the wheelhouse.
DEVELOPER_EXTRAS = frozenset({"test"})
#: Python versions a wheelhouse serves.
PYTHONS = ("3.11", "3.12")
#: The oldest glibc the Linux wheels may need (manylinux_2_28: RHEL 8, Debian 10, Ubuntu 20.04
#: and newer). A higher floor gets newer Qt wheels but runs on fewer machines.
GLIBC_FLOOR = 28
#: Files copied into the wheelhouse beside the wheels.
EXTRAS_TO_COPY = ("install_offline.sh", "install_offline.ps1", "linux")


@dataclass(frozen=True)
class Target:
    system: str  # "linux" or "windows"
    python: str  # "3.11"

    @property
    def label(self) -> str:
        return f"{self.system}-{self.python}"

    @property
    def marker(self) -> str:
        platform = "linux" if self.system == "linux" else "win32"
        return f'(sys_platform == "{platform}" and python_version == "{self.python}")'

    def platform_tags(self) -> list[str]:
        if self.system == "windows":
            return ["win_amd64"]
        tags = [f"manylinux_2_{minor}_x86_64" for minor in range(GLIBC_FLOOR, 16, -1)]
        return tags + ["manylinux2014_x86_64"]  # pip adds manylinux2010 and manylinux1

    def pip_args(self) -> list[str]:
        abi = "cp" + self.python.replace(".", "")
        args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python,
                "--abi", abi, "--abi", "abi3", "--abi", "none"]
        for tag in self.platform_tags():
            args += ["--platform", tag]
        return args


def fail(message: str) -> NoReturn:
    print(f"build_wheelhouse: {message}", file=sys.stderr)
    raise SystemExit(2)


def normalise(name: str) -> str:
    """A distribution name in PEP 503 form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(filename: str) -> tuple[str, str]:
    """(normalised name, version) from a wheel file name (PEP 427)."""
    parts = filename[: -len(".whl")].split("-")
    if not filename.endswith(".whl") or len(parts) not in (5, 6):
        raise ValueError(f"not a wheel file name: {filename}")
    return normalise(parts[0]), parts[1]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_project(root: Path = ROOT) -> dict:
    """Name, version and the extras to ship, from pyproject.toml."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    extras = sorted(e for e in project.get("optional-dependencies", {}) if e not in DEVELOPER_EXTRAS)
    return {"name": project["name"], "version": project["version"], "extras": extras}


def targets_for(platform: str, python: str) -> list[Target]:
    systems = ("linux", "windows") if platform == "all" else (platform,)
    pythons = PYTHONS if python == "all" else (python,)
    return [Target(s, p) for s in systems for p in pythons]


def run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:])
        fail(f"{what} failed (exit {done.returncode}); pip's own message is above.")


def build_project_wheel(root: Path, out: Path) -> Path:
    """The project's own wheel, built from a copy of the source (no build/ left behind)."""
    with tempfile.TemporaryDirectory(prefix="kperf-src-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(root, src, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
            ".hypothesis", "sessions", "out"))
        before = set(out.glob("*.whl"))
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
             str(out), str(src)], "building the project's wheel")
        made = sorted(set(out.glob("*.whl")) - before) or sorted(out.glob("kperf_lab-*.whl"))
    if not made:
        fail("building the project's wheel left no wheel file.")
    return made[0]


def download(target: Target, requirement: str, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    print(f"  {target.label}: downloading ...", flush=True)
    run([sys.executable, "-m", "pip", "download", "--quiet", "--progress-bar", "off",
         "--dest", str(dest), *target.pip_args(), requirement],
        f"downloading the wheels for {target.label} (a dependency without a wheel for this "
        f"platform, or no connection to the package index)")
    wheels = sorted(dest.glob("*.whl"))
    strays = sorted(p.name for p in dest.iterdir() if p.suffix != ".whl")
    if strays:
        fail(f"{target.label}: pip fetched files that are not wheels: {', '.join(strays)}.")
    return wheels


def lock_lines(project: dict, resolved: dict[Target, list[Path]], hashes: dict[str, str]) -> list[str]:
    """requirements.lock: one entry per (name, version), with a marker naming its targets when
    not every target needs it, and the hash of every wheel of that version."""
    all_targets = list(resolved)
    by_release: dict[tuple[str, str], dict[str, set]] = {}
    for target, wheels in resolved.items():
        for wheel in wheels:
            key = wheel_name_version(wheel.name)
            entry = by_release.setdefault(key, {"targets": set(), "files": set()})
            entry["targets"].add(target)
            entry["files"].add(wheel.name)
    own = normalise(project["name"])
    extras = f"[{','.join(project['extras'])}]" if project["extras"] else ""
    lines = []
    for (name, version), entry in sorted(by_release.items(), key=lambda kv: (kv[0][0] != own, kv[0])):
        spec = f"{name}{extras if name == own else ''}=={version}"
        if set(entry["targets"]) != set(all_targets):
            markers = [t.marker for t in all_targets if t in entry["targets"]]
            spec += " ; " + " or ".join(markers)
        digests = sorted({hashes[f] for f in entry["files"]})
        lines.append(" \\\n".join([spec] + [f"    --hash=sha256:{d}" for d in digests]))
    return lines


def build(out: Path, platform: str, python: str) -> None:
    project = read_project()
    targets = targets_for(platform, python)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        fail(f"{out} is not empty; give a new or empty folder.")
    wheels_dir = out / "wheels"
    wheels_dir.mkdir()
    print(f"K-Perf Lab {project['version']} wheelhouse for "
          f"{', '.join(t.label for t in targets)} (extras: {', '.join(project['extras']) or 'none'})")
    own = build_project_wheel(ROOT, wheels_dir)
    extras = f"[{','.join(project['extras'])}]" if project["extras"] else ""
    requirement = f"{project['name']}{extras} @ {own.resolve().as_uri()}"
    resolved: dict[Target, list[Path]] = {}
    with tempfile.TemporaryDirectory(prefix="kperf-wheels-", dir=out) as stage:
        for target in targets:
            wheels = download(target, requirement, Path(stage) / target.label)
            resolved[target] = [wheels_dir / w.name for w in wheels]
            for w in wheels:
                if not (wheels_dir / w.name).exists():
                    shutil.move(str(w), wheels_dir / w.name)
    hashes = {p.name: sha256(p) for p in wheels_dir.glob("*.whl")}
    header = [
        f"# K-Perf Lab {project['version']}: every wheel in wheels/, exact versions and SHA-256.",
        f"# Targets: {', '.join(t.label for t in targets)} (x86-64). Made by "
        f"packaging/build_wheelhouse.sh.",
        "# Install with no network: pip install --no-index --find-links wheels "
        "--require-hashes -r requirements.lock",
    ]
    (out / "requirements.lock").write_text(
        "\n".join(header + lock_lines(project, resolved, hashes)) + "\n", encoding="utf-8")
    (out / "wheelhouse.json").write_text(json.dumps({
        "project": project["name"], "version": project["version"], "extras": project["extras"],
        "targets": [t.label for t in targets],
        "glibc_min": f"2.{GLIBC_FLOOR}",
        "built_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wheels": len(hashes),
    }, indent=2) + "\n", encoding="utf-8")
    for name in EXTRAS_TO_COPY:
        src = HERE / name
        if src.is_dir():
            shutil.copytree(src, out / name)
        else:
            shutil.copy2(src, out / name)
    size = sum(p.stat().st_size for p in wheels_dir.glob("*.whl"))
    print(f"Wheelhouse ready: {out} ({len(hashes)} wheels, {size / 2**20:.0f} MiB).")
    print(f"On the lab machine: bash {out.name}/install_offline.sh {out.name}   (Linux)")
    print(f"                    powershell -ExecutionPolicy Bypass -File {out.name}\\install_offline.ps1 "
          f"{out.name}   (Windows)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="build_wheelhouse.sh",
                                description="Build K-Perf Lab's offline wheelhouse.")
    p.add_argument("out", help="a new or empty folder")
    p.add_argument("--platform", choices=("linux", "windows", "all"), default="all")
    p.add_argument("--python", choices=(*PYTHONS, "all"), default="all",
                   help="Python version(s) to serve (all)")
    args = p.parse_args(argv)
    build(Path(args.out).resolve(), args.platform, args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
