import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit import Action, record
from audit.models import AuditEvent
from audit.notary import write_checkpoint
from audit.testing import link_entries

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def fill(count: int = 10) -> None:
    for index in range(count):
        record(Action.TIP_CLAIMED, actor="system", target=("tips.tip", f"t{index}"), n=index)


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_summary_and_records_the_check():
    fill()
    write_checkpoint()
    output = verify()
    assert output.startswith("audit log intact: 11 entries, head ")
    assert "checkpoint 11 (database)" in output
    entry = AuditEvent.objects.order_by("-id").first()
    assert entry.action == Action.AUDIT_VERIFIED
    assert entry.details == {"ok": True, "checked": 11, "first_bad": None, "via": "command"}
    verify("--no-record")
    assert AuditEvent.objects.count() == 12


def swap_entries(tamper, a: int, b: int) -> None:
    tamper("UPDATE audit_event SET seq = 1000 WHERE seq = %s", [a])
    tamper("UPDATE audit_event SET seq = %s WHERE seq = %s", [a, b])
    tamper("UPDATE audit_event SET seq = %s WHERE seq = 1000", [b])


def edit_entry(tamper, seq: int) -> None:
    (canon,) = tamper("SELECT canon FROM audit_event WHERE seq = %s", [seq])[0]
    forged = bytes(canon).replace(b'"actor":"system"', b'"actor":"anonymous"')
    tamper("UPDATE audit_event SET canon = %s WHERE seq = %s", [forged, seq])


@pytest.mark.parametrize(
    ("tampering", "first_bad", "words"),
    [
        (lambda tamper: edit_entry(tamper, 4), 4, "modified"),
        (lambda tamper: tamper("DELETE FROM audit_event WHERE seq = 6"), 6, "missing"),
        (lambda tamper: swap_entries(tamper, 3, 7), 3, "does not link"),
        (lambda tamper: tamper("DELETE FROM audit_event WHERE seq > 8"), 9, "removed"),
        (
            lambda tamper: tamper("UPDATE audit_event SET actor = '999' WHERE seq = 5"),
            5,
            "indexed columns",
        ),
    ],
    ids=["modified", "deleted", "reordered", "truncated-tail", "index-column"],
)
def test_it_fails_naming_the_first_bad_entry(tamper, tampering, first_bad, words):
    fill()
    write_checkpoint()
    tampering(tamper)
    with pytest.raises(CommandError) as failure:
        verify("--chunk-size", "3")
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert message.startswith(f"audit log NOT intact: first bad entry {first_bad}: ")
    assert words in message


def test_it_exits_non_zero_from_the_shell(subprocess_env, project_python, tmp_path):
    env = dict(subprocess_env, AUDIT_CHECKPOINT_FILE=str(tmp_path / "checkpoints.log"))

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [project_python, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert manage("migrate", "--noinput").returncode == 0
    fill_code = (
        "from audit import Action, record\n"
        "for i in range(5): record(Action.TIP_SUBMITTED, actor=None)"
    )
    assert manage("shell", "-c", fill_code).returncode == 0
    assert manage("audit_checkpoint").returncode == 0
    intact = manage("verify_audit")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("audit log intact: 6 entries")
    database = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"))
    with database:
        database.execute("DROP TRIGGER audit_event_no_delete")
        database.execute("DELETE FROM audit_event WHERE seq >= 5")
    database.close()
    broken = manage("verify_audit")
    assert broken.returncode == 1
    assert "first bad entry 5" in broken.stderr
    assert "entries 5-6 were removed" in broken.stderr


def test_it_runs_nightly_and_records_only_failures(tamper, caplog):
    from audit.tasks import verify_log as task

    fill(4)
    link_entries()
    task.apply()
    assert AuditEvent.objects.count() == 4  # a quiet success adds nothing
    tamper("DELETE FROM audit_event WHERE seq = 2")
    with caplog.at_level("ERROR", logger="audit.tasks"):
        task.apply()
    assert "first bad entry 2" in caplog.text
    entry = AuditEvent.objects.order_by("-id").first()
    assert entry.action == Action.AUDIT_VERIFICATION_FAILED
    assert entry.details["first_bad"] == 2
