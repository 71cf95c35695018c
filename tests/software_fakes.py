"""Fakes for the software power channel tests: a vendor command-line tool placed on the PATH."""
from __future__ import annotations

import json
import sys
from pathlib import Path

_SCRIPT = '''#!{python}
import json, sys, time
from pathlib import Path

here = Path(__file__)
state = json.loads(here.with_name(here.name + ".json").read_text())
args = " ".join(sys.argv[1:])
with open(here.with_name(here.name + ".log"), "a") as log:
    log.write(args + "\\n")
time.sleep(state["sleep_s"])
reply = state["replies"].get(args)
if reply is None:
    sys.stderr.write("error: unexpected argument '" + args + "'\\n")
    sys.exit(2)
sys.stdout.write(reply["stdout"])
sys.stderr.write(reply.get("stderr", ""))
sys.exit(reply.get("status", 0))
'''


class FakeTool:
    """An executable ``folder/name`` that prints a recorded reply per argument line and logs each
    call. ``set({"info --format json": "[...]"})`` changes what it prints from the next call on; a
    reply may also be ``{"stdout": ..., "stderr": ..., "status": 1}``; other arguments exit 2."""

    def __init__(self, folder: Path, name: str):
        self.path = folder / name
        self.path.write_text(_SCRIPT.format(python=sys.executable))
        self.path.chmod(0o755)
        self._state = self.path.with_name(name + ".json")
        self._log = self.path.with_name(name + ".log")
        self.set({})

    def set(self, replies: dict[str, str | dict], sleep_s: float = 0.0) -> None:
        table = {args: {"stdout": r} if isinstance(r, str) else r for args, r in replies.items()}
        self._state.write_text(json.dumps({"replies": table, "sleep_s": sleep_s}))

    @property
    def calls(self) -> list[str]:
        """The argument line of every call so far."""
        return self._log.read_text().splitlines() if self._log.exists() else []
