"""The Makefile's interpreter search and the lint gate."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_finds_a_new_enough_python(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {"PATH": f"{bin_dir}:{os.path.dirname(shutil.which('make'))}:/bin:/usr/bin",
           "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}  # fmt: skip
    result = make("check-python", env)
    assert result.returncode == 0, result.stderr
    assert "Using" in result.stdout


def test_it_names_what_to_install_when_no_python_is_new_enough(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    old = bin_dir / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")  # an interpreter that is too old
    old.chmod(0o755)
    make_dir = os.path.dirname(shutil.which("make") or "/usr/bin/make")
    env = {"PATH": f"{bin_dir}:{make_dir}:/bin", "HOME": str(tmp_path),
           "PYENV_ROOT": str(tmp_path / "no-pyenv")}  # fmt: skip
    result = make("check-python", env)
    assert result.returncode != 0
    assert "needs Python 3.12 or newer" in result.stderr
    assert "python3.12" in result.stderr


def test_it_passes_the_lint_gate() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [str(ruff), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
