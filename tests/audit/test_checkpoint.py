import base64
import hashlib

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from audit import Action, record
from audit.chain import verify_log
from audit.checkpoint import CheckpointBody, open_checkpoint, read_file_notes
from audit.merkle import leaf_hash, root
from audit.models import AuditEvent, Checkpoint
from audit.notary import CheckpointRefusedError, write_checkpoint
from audit.signing import (
    NoteError,
    Signer,
    audit_signer,
    key_id,
    open_note,
    parse_verifier_key,
    seed_from_secret,
    sign_note,
    trusted_verifiers,
)

# golang.org/x/mod/sumdb/note's example: our notes must be byte-identical to Go's.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> Signer:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))


def test_it_signs_notes_exactly_like_the_go_reference():
    assert sign_note(GO_TEXT, go_signer()) == GO_NOTE
    assert go_signer().verifier.vkey == GO_VKEY
    assert open_note(GO_NOTE, [parse_verifier_key(GO_VKEY)]) == GO_TEXT


def test_it_rejects_notes_not_signed_by_a_trusted_key():
    verifier = parse_verifier_key(GO_VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [verifier])
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(GO_NOTE, [audit_signer().verifier])
    with pytest.raises(NoteError):
        parse_verifier_key(GO_VKEY.replace("c74f20a3", "c74f20a4"))
    # A second signature by an unknown key is ignored, as the spec requires.
    cosigned = GO_NOTE + "— someone.example/witness AAAAAAAAAA==\n"
    assert open_note(cosigned, [verifier]) == GO_TEXT


def test_it_derives_the_key_id_as_c2sp_says():
    signer = audit_signer()
    verifier = signer.verifier
    raw = base64.b64decode(verifier.vkey.split("+", 2)[2])[1:]
    expected = hashlib.sha256(signer.name.encode() + b"\n\x01" + raw).digest()[:4]
    assert key_id(signer.name, raw) == verifier.key_id == expected
    assert parse_verifier_key(verifier.vkey).key_id == expected


def test_it_derives_the_signing_seed_from_the_secret():
    raw = bytes(range(32))
    assert seed_from_secret(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    assert seed_from_secret(base64.b64encode(raw).decode()) == raw
    phrase = "a long passphrase that is not base64 at all!"
    assert (
        seed_from_secret(phrase)
        == hashlib.sha256(b"tip-portal audit signing key\n" + phrase.encode()).digest()
    )
    with pytest.raises(ImproperlyConfigured):
        seed_from_secret("too-short")


def test_it_round_trips_the_checkpoint_body():
    body = CheckpointBody("example.org/audit", 7, b"r" * 32, b"h" * 32, "2026-01-01T00:00:00Z")
    assert CheckpointBody.parse(body.text()) == body
    plain = "example.org/audit\n7\n" + base64.b64encode(b"r" * 32).decode() + "\n"
    assert CheckpointBody.parse(plain) == CheckpointBody("example.org/audit", 7, b"r" * 32)
    for broken in ("example.org/audit\n07\nAAAA\n", "example.org/audit\n7\nAAAA\n", "x\n"):
        with pytest.raises(NoteError):
            CheckpointBody.parse(broken)


@pytest.mark.django_db
def test_it_signs_a_checkpoint_only_when_the_log_grew(
    checkpoint_file, django_capture_on_commit_callbacks
):
    for _ in range(5):
        record(Action.TIP_SUBMITTED, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert write_checkpoint() is True
    with django_capture_on_commit_callbacks(execute=True):
        assert write_checkpoint() is False  # nothing new: no checkpoint, no entry
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.size == AuditEvent.objects.count() == 6
    assert AuditEvent.objects.get(seq=6).action == Action.AUDIT_CHECKPOINT
    leaves = [
        leaf_hash(bytes(c))
        for c in AuditEvent.objects.order_by("seq").values_list("canon", flat=True)
    ]
    body = open_checkpoint(checkpoint.note, trusted_verifiers())
    assert body.root == root(leaves) == bytes(checkpoint.root)
    assert body.chain_head == bytes(AuditEvent.objects.get(seq=6).chain)
    assert read_file_notes(checkpoint_file, latest_only=False) == [checkpoint.note]


@pytest.mark.django_db
def test_it_extends_the_previous_checkpoint_incrementally(
    checkpoint_file, django_capture_on_commit_callbacks
):
    for batch in (3, 9, 1):
        for _ in range(batch):
            record(Action.TIP_SUBMITTED, actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            write_checkpoint()
    canons = AuditEvent.objects.order_by("seq").values_list("canon", flat=True)
    leaves = [leaf_hash(bytes(canon)) for canon in canons]
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes == [4, 14, 16]
    for checkpoint in Checkpoint.objects.all():
        assert bytes(checkpoint.root) == root(leaves[: checkpoint.size])
    assert len(read_file_notes(checkpoint_file, latest_only=False)) == 3
    report = verify_log(all_checkpoints=True)
    assert report.ok, report.problem
    assert report.latest_checkpoint == 16


@pytest.mark.django_db
def test_it_catches_removal_of_the_newest_entries(tamper, checkpoint_file):
    for _ in range(8):
        record(Action.TIP_SUBMITTED, actor=None)
    write_checkpoint()
    tamper("DELETE FROM audit_event WHERE seq > 6")
    report = verify_log()
    assert (report.ok, report.first_bad) == (False, 7)
    assert "were removed" in report.problem


@pytest.mark.django_db
def test_it_catches_truncation_through_the_file_when_checkpoint_rows_are_gone(
    tamper, checkpoint_file, django_capture_on_commit_callbacks
):
    for _ in range(8):
        record(Action.TIP_SUBMITTED, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        write_checkpoint()
    tamper("DELETE FROM audit_checkpoint")
    tamper("DELETE FROM audit_event WHERE seq > 5")
    report = verify_log()
    assert (report.ok, report.first_bad) == (False, 6)
    assert "(file)" in report.problem
    with pytest.raises(CheckpointRefusedError, match="checkpoint file holds a checkpoint at 9"):
        write_checkpoint()


@pytest.mark.django_db
def test_it_refuses_to_build_on_an_altered_checkpoint(tamper):
    for _ in range(3):
        record(Action.TIP_SUBMITTED, actor=None)
    write_checkpoint()
    tamper("UPDATE audit_checkpoint SET compact_range = %s", [b"\x00" * 64])
    record(Action.TIP_SUBMITTED, actor=None)
    with pytest.raises(CheckpointRefusedError, match="was altered"):
        write_checkpoint()


@pytest.mark.django_db
def test_it_reports_a_forged_note_in_the_file(checkpoint_file, django_capture_on_commit_callbacks):
    for _ in range(3):
        record(Action.TIP_SUBMITTED, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        write_checkpoint()
    note = checkpoint_file.read_text()
    checkpoint_file.write_text(note + "\n" + note.replace("\n4\n", "\n3\n"))
    report = verify_log()
    assert not report.ok
    assert "does not verify" in report.problem


@pytest.mark.django_db
def test_it_verifies_old_checkpoints_after_a_key_rotation(settings):
    for _ in range(3):
        record(Action.TIP_SUBMITTED, actor=None)
    write_checkpoint()
    old_vkey = audit_signer().verifier.vkey
    settings.AUDIT_SIGNING_KEY = "rotated-" + "k" * 40
    report = verify_log()
    assert not report.ok
    assert "no signature by a trusted key" in report.problem
    settings.AUDIT_VERIFIER_KEYS = [old_vkey]
    assert verify_log().ok
    record(Action.TIP_SUBMITTED, actor=None)
    assert write_checkpoint() is True  # the new key signs on top of the old key's checkpoint
    assert verify_log(all_checkpoints=True).ok


@pytest.mark.django_db
def test_it_runs_as_a_periodic_task():
    from audit.tasks import write_checkpoint as task

    schedule = django_settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert schedule["task"] == "audit.tasks.write_checkpoint" == task.name
    record(Action.TIP_SUBMITTED, actor=None)
    task.apply()  # in this process whatever the broker: the worker path is Celery's concern
    task.apply()
    assert Checkpoint.objects.count() == 1


@pytest.mark.django_db
def test_it_prints_and_generates_verifier_keys():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("audit_checkpoint", "--show-key", stdout=out)
    assert out.getvalue().strip() == audit_signer().verifier.vkey
    out = StringIO()
    call_command("audit_checkpoint", "--generate-key", stdout=out)
    secret_line, vkey_line = out.getvalue().splitlines()
    secret = secret_line.removeprefix("AUDIT_SIGNING_KEY=")
    assert len(seed_from_secret(secret)) == 32
    assert (
        parse_verifier_key(vkey_line.removeprefix("verifier key: ")).name
        == "tip-portal.local/audit"
    )
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert out.getvalue().strip() == "the audit log is empty: nothing to sign"
