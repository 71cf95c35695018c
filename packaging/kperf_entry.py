"""Entry point of a frozen K-Perf Lab bundle (PyInstaller).

A bundle has no Python interpreter to start ``python -m ...`` with: the app starts its runs
(``-m kperf_gui.cli run ...``) and the simulated endpoint (``-m kperf_gui.sim ...``) by running
its own executable with those arguments, so this entry point hands ``-m MODULE`` on to that
module. A headless command as the first argument (``demo``, ``run``, ``export``, ``verify``,
``resources``) runs ``kperf``; anything else opens the desktop app.
"""
import runpy
import sys


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    if len(sys.argv) > 1 and sys.argv[1] in ("demo", "run", "export", "verify", "resources"):
        from kperf_gui.cli import main as cli_main

        return cli_main(sys.argv[1:])
    from kperf_gui.ui.app import main as gui_main

    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
