"""Shared options and fixtures: the real-meter options, the session shape checker."""
import subprocess
import sys

import pytest

from runhelp import ROOT

CHECKER = ROOT.parent / "shared" / "tools" / "check_session.py"


def pytest_addoption(parser):
    parser.addoption("--meter-resource", default=None,
                     help="VISA resource of a real power meter; runs the real-meter tests")
    parser.addoption("--meter-driver", default="yokogawa-wt300e",
                     help="driver name for --meter-resource")


@pytest.fixture
def check_shape():
    def check(folder):
        if not CHECKER.is_file():
            pytest.skip("the contract's shape checker is not beside the project")
        r = subprocess.run([sys.executable, str(CHECKER), str(folder)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    return check
