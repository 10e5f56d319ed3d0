"""`manage.py export_audit` and `python -m audit.offline_verify`: a range of the log with its
hashes and signed checkpoints, checked outside the portal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from audit import Action, notary, record
from audit.export import EXPORT_FORMAT
from audit.models import Checkpoint
from audit.signing import audit_signer
from audit.testing import record_linked
from tests import factories
from tests.commands import run
from tests.conftest import ROOT
from tests.readers import events


@dataclass(frozen=True)
class Log:
    checkpoints: tuple[int, int]
    failed_login: int
    head: int


@pytest.fixture
def logged(submit) -> Log:
    """A log with a tip's entries and others, two signed checkpoints, and entries after them.

    Signing records an entry that the checkpoint covers: sizes are read back, not assumed."""
    submit()
    assert notary.write_checkpoint()
    record(Action.TIP_CLAIMED, actor="system", target=("tips.tip", "abc"), change=7)
    failed = record_linked(Action.LOGIN_FAILED, actor="anonymous", reason="unknown user").seq
    assert notary.write_checkpoint()
    record(Action.AUDIT_VIEWED, actor="system", page=3)
    head = record_linked(Action.AUDIT_VIEWED, actor="system", page=4).seq
    first, second = sorted(Checkpoint.objects.values_list("size", flat=True))
    return Log((first, second), failed, head)


def offline(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The verifier in a process with no Django settings and no database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))
    }
    command = [sys.executable, "-m", "audit.offline_verify", str(path), *extra]
    return subprocess.run(
        [*command, "--public-key", audit_signer().verifier.vkey],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_lines(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_it_exports_entries_with_hashes_and_checkpoints(logged, tmp_path):
    out = tmp_path / "export.jsonl"

    printed = run("export_audit", "--out", str(out))

    assert f"exported entries 1-{logged.head} to {out}" in printed
    header, *rest = lines_of(out)
    assert header["type"] == "export" and header["format"] == EXPORT_FORMAT
    assert (header["from"], header["to"]) == (1, logged.head)
    checkpoints = [line for line in rest if line["type"] == "checkpoint"]
    assert [line["size"] for line in checkpoints] == list(logged.checkpoints)
    entries = [line for line in rest if line["type"] == "entry"]
    assert [line["seq"] for line in entries] == list(range(1, logged.head + 1))
    wanted = {"seq", "at", "actor", "action", "target_type", "target_id", "details", "prev", "hash"}
    assert all(wanted <= set(line) for line in entries)
    claimed = next(line for line in entries if line["action"] == Action.TIP_CLAIMED)
    assert (claimed["target_type"], claimed["target_id"]) == ("tips.tip", "abc")
    assert claimed["details"] == {"change": 7}
    assert len(claimed["hash"]) == 64 and entries[0]["prev"] == "00" * 32
    assert entries[1]["prev"] == entries[0]["hash"]
    # The export itself is audited, after the range it wrote.
    [exported] = events(Action.AUDIT_EXPORTED)
    assert exported.details == {"first": 1, "last": logged.head, "via": "command"}


def test_it_carries_no_tip_content(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))

    text = out.read_text()
    assert factories.DESCRIPTION not in text
    assert "Warehouse behind 9th and Pine" not in text
    assert "7ABC123" not in text


def test_it_verifies_offline(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))

    checked = offline(out)

    assert checked.returncode == 0, checked.stderr
    second = logged.checkpoints[1]
    assert f"export intact: entries 1-{logged.head}" in checked.stdout
    assert f"2 checkpoints verified, latest at {second}" in checked.stdout
    assert f"entries {second + 1}-{logged.head} are linked but not yet signed" in checked.stdout


def test_it_verifies_a_range_offline(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    first, second = logged.checkpoints
    run("export_audit", "--from", str(first + 1), "--to", str(second + 1), "--out", str(out))

    checked = offline(out)

    assert checked.returncode == 0, checked.stderr
    assert f"export intact: entries {first + 1}-{second + 1}" in checked.stdout
    assert f"1 checkpoints verified, latest at {second}" in checked.stdout


def test_it_fails_offline_naming_an_altered_entry(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))
    lines = lines_of(out)
    seq = logged.failed_login
    altered = next(line for line in lines if line.get("seq") == seq)
    altered["details"] = {"reason": "known user"}
    write_lines(out, lines)

    checked = offline(out)

    assert checked.returncode == 1
    assert f"entry {seq}: entry {seq} does not match its hash (modified)" in checked.stderr


def test_it_fails_offline_naming_a_removed_entry(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))
    lines = [line for line in lines_of(out) if line.get("seq") != logged.failed_login]
    write_lines(out, lines)

    checked = offline(out)

    assert checked.returncode == 1
    assert f"entry {logged.failed_login} is missing" in checked.stderr


def test_it_fails_offline_when_the_whole_chain_was_rewritten(logged, tmp_path):
    """Entries changed and every hash after them recomputed: only the signatures catch it."""
    from audit.encoding import entry_hashes
    from audit.offline_verify import _canon

    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))
    lines = lines_of(out)
    prev = bytes(32)
    for line in lines:
        if line["type"] != "entry":
            continue
        if line["seq"] == 2:
            line["actor"] = "someone-else"
        line["prev"] = prev.hex()
        prev = entry_hashes(prev, _canon(line))[1]
        line["hash"] = prev.hex()
    write_lines(out, lines)

    checked = offline(out)

    assert checked.returncode == 1
    first = logged.checkpoints[0]
    assert f"entry {first}: entries up to {first} differ from the checkpoint" in checked.stderr


def test_it_fails_offline_with_a_checkpoint_of_another_key(logged, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from audit.signing import Signer, sign_note

    out = tmp_path / "export.jsonl"
    run("export_audit", "--out", str(out))
    lines = lines_of(out)
    forged = next(line for line in lines if line["type"] == "checkpoint")
    text = forged["note"].split("\n\n")[0] + "\n"
    forger = Signer(audit_signer().name, Ed25519PrivateKey.generate())
    forged["note"] = sign_note(text, forger)
    write_lines(out, lines)

    checked = offline(out)

    assert checked.returncode == 1
    assert f"the checkpoint at size {logged.checkpoints[0]} is not valid" in checked.stderr


def test_it_refuses_an_existing_file_and_a_backwards_range(logged, tmp_path):
    out = tmp_path / "export.jsonl"
    out.write_text("keep")

    with pytest.raises(CommandError, match="exists"):
        run("export_audit", "--out", str(out))
    with pytest.raises(CommandError, match="--to must not be smaller"):
        run("export_audit", "--from", "5", "--to", "2")
    assert out.read_text() == "keep"
