"""`make run` starts the schedule runner in the background beside the dashboard and stops it with the dashboard."""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def test_make_run_starts_the_schedule_runner_beside_the_dashboard():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    # The runner and the dashboard are one shell command (lines joined by backslashes): the trap that stops the
    # runner belongs to the shell that runs the dashboard.
    command = out.replace("\\\n", " ")
    line = next(x for x in command.splitlines() if "streamlit run dashboard.py" in x)
    assert "-m syncstatus scheduler &" in line
    assert line.index("-m syncstatus scheduler &") < line.index("streamlit run dashboard.py")
    assert "trap 'kill $runner" in line and "EXIT" in line
