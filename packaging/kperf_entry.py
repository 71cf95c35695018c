"""Entry point of a frozen K-Perf Lab bundle (PyInstaller).

A bundle has no Python interpreter to start ``python -m ...`` with: the app starts its runs
(``-m kperf_gui.cli run ...``) and the simulated endpoint (``-m kperf_gui.sim ...``) by running
its own executable with those arguments, so this entry point hands ``-m MODULE`` on to that
module. A headless command as the first argument (``demo``, ``run``, ``export``, ``verify``,
``resources``) runs ``kperf``; ``--selfcheck`` checks that the bundle is whole (its shipped
files, the Korean translation, every simulated instrument); anything else opens the desktop app.
"""
import runpy
import sys

HEADLESS = ("demo", "run", "export", "verify", "resources")


def selfcheck() -> int:
    """Check what a bundle must carry and print one line per check; exit 1 when one fails."""
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import QCoreApplication

    from drivers.meters import registry
    from drivers.resources import resources_dir
    from kperf_gui import __version__
    from kperf_gui.ui import translation

    failures = 0

    def report(ok: bool, text: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {text}", flush=True)

    print(f"K-Perf Lab {__version__} self-check ({sys.executable})")
    res = resources_dir()
    report(res.is_dir(), f"shipped files: {res}")
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    loaded = translation.install("ko")
    catalogue = res / "translations" / "kperf_ko.ts"
    total = translated = 0
    if loaded and catalogue.is_file():
        for context in ET.parse(catalogue).getroot().iter("context"):
            name = context.findtext("name", "")
            for message in context.iter("message"):
                text = message.findtext("translation") or ""
                state = message.find("translation").get("type")
                if not text or state in ("unfinished", "obsolete") or message.get("numerus"):
                    continue
                total += 1
                translated += app.translate(name, message.findtext("source", "")) == text
    report(loaded and total > 0 and translated == total,
           f"Korean translation: kperf_ko.qm {'loaded' if loaded else 'NOT loaded'}, "
           f"{translated} of {total} messages as in kperf_ko.ts")
    translation.install("en")
    files = sorted((res / "sim").glob("*.yaml"))
    report(bool(files), f"simulated instruments shipped: {len(files)}")
    for path in files:
        try:
            report(True, f"{path.stem}: {_sim_identity(path)}")
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the check
            report(False, f"{path.stem}: {type(exc).__name__}: {exc}")
    broken = []
    for name in registry.names():
        try:
            registry.get(name)
        except Exception:  # noqa: BLE001 - listed below
            broken.append(name)
    report(not broken, f"meter drivers: {len(registry.names()) - len(broken)} load"
           + (f", NOT {', '.join(broken)}" if broken else ""))
    print("All checks passed." if not failures else f"{failures} check(s) failed.")
    return 1 if failures else 0


def _sim_identity(path) -> str:
    """``*IDN?`` asked of the first instrument a pyvisa-sim file describes, with the line
    endings that file gives it."""
    import pyvisa
    import yaml

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    resource, info = next(iter(spec["resources"].items()))
    kind = " ".join(resource.split("::")[0].rstrip("0123456789") and
                    [resource.split("::")[0].rstrip("0123456789"), resource.split("::")[-1]])
    eom = spec["devices"][info["device"]]["eom"][kind]
    manager = pyvisa.ResourceManager(f"{path}@sim")
    try:
        inst = manager.open_resource(resource, read_termination=eom["r"],
                                     write_termination=eom["q"], timeout=2000)
        return f"{resource} answers {inst.query('*IDN?').strip()}"
    finally:
        manager.close()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    if len(sys.argv) > 1 and sys.argv[1] in HEADLESS:
        from kperf_gui.cli import main as cli_main

        return cli_main(sys.argv[1:])
    if sys.argv[1:] == ["--selfcheck"]:
        return selfcheck()
    from kperf_gui.ui.app import main as gui_main

    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
