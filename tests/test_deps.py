"""scripts/deps, which the README's two commands run first: nothing to do when the system has everything, and one
line saying what to install when it cannot install itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT

DEPS = ROOT / "scripts" / "deps"


def test_does_nothing_when_everything_is_installed() -> None:
    """This machine has every package (the tests need them all), so the script neither installs nor prints."""
    result = subprocess.run([str(DEPS), "test"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"), reason="needs root to run as another user")
def test_without_permission_it_says_what_to_run_in_one_line() -> None:
    """As a user who cannot install, on a PATH without Java (nor python3), it installs nothing and names the
    packages."""
    with tempfile.TemporaryDirectory() as folder:  # not under pytest's tmp_path: only root may enter that
        bin_dir = Path(folder)
        bin_dir.chmod(0o755)
        for tool in ("bash", "id", "env"):
            (bin_dir / tool).symlink_to(os.path.realpath(shutil.which(tool) or f"/usr/bin/{tool}"))
        as_nobody = [shutil.which("setpriv") or "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        result = subprocess.run([*as_nobody, str(DEPS), "run"], env={"PATH": folder}, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "apt-get install -y python3-venv default-jre-headless" in result.stderr
