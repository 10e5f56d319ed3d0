"""The append-only audit log and its signed checkpoints.

Rows are written only by `audit.record()` (entries), `audit.sequencer` (which links each entry
into the chain once, after it committed) and `audit.checkpoint` (checkpoints). Python refuses to
update or delete them; database triggers (migrations 0002 and 0004) refuse it too, so that raw
SQL and other clients of the database are stopped as well. The one change they let through is
the linking of an unlinked entry: `seq`, `canon`, `prev` and `chain` set once, from NULL, with
every other column unchanged. Someone who owns the
database can still drop the triggers: the hash chain and the signed checkpoints kept outside the
database are what make that detectable.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any, ClassVar, NoReturn, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.encoding import FORMAT_VERSION, format_time, parse_time
from audit.events import Action


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit row."""


def _refuse(*args: object, **kwargs: object) -> NoReturn:
    raise AppendOnlyError("the audit log is append-only: rows cannot be changed or deleted")


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse
    # Bulk inserts would bypass the chaining in audit.record().
    bulk_create = _refuse
    _raw_delete = _refuse


class AppendOnlyModel(models.Model):
    # Set by the one writer of each table; `objects.create()` elsewhere is refused.
    _writer_token: ClassVar[object] = None

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        if getattr(self, "_written_by", None) is not type(self)._writer_token:
            raise AppendOnlyError(f"{type(self).__name__} rows are written only by audit.record")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AuditEvent(AppendOnlyModel):
    """One entry. `canon` is the source of truth; the other columns index it for filtering.

    `verify_audit` checks that the indexed columns agree with `canon`, so editing a column to
    hide an entry from a filtered view is detected like any other modification.

    An entry is written by `audit.record()` *unlinked*: `id`, time, actor, action, target and
    `details` (the canonical JSON of its details), with `seq`, `canon`, `prev` and `chain` NULL.
    After its transaction commits, the sequencer gives it the next `seq`, encodes `canon` from
    those columns and chains it (audit/sequencer.py). Only linked entries are part of the
    tamper-evident log; `details` is not read again once `canon` holds them.
    """

    _writer_token = object()

    # The order entries were written in; the chain's order is `seq`, given when they are linked.
    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    at = models.DateTimeField()
    # A user's id as text, "anonymous" or "system": no foreign key, so nothing ever cascades.
    actor = models.CharField(max_length=64)
    # No `choices=`: a new Action constant must not need a migration (on SQLite an AlterField
    # rebuilds the table and would drop the append-only triggers with it).
    action = models.PositiveIntegerField()
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    # NULL for entries written before the sequencer (their details are only in `canon`).
    details_json = models.BinaryField(null=True, db_column="details")
    canon = models.BinaryField(null=True)
    prev = models.BinaryField(null=True)
    chain = models.BinaryField(null=True)

    class Meta:
        db_table = "audit_event"
        ordering = ["-seq"]
        indexes = [
            # The viewer's filters, each newest first.
            models.Index(fields=["actor", "-seq"], name="audit_event_actor"),
            models.Index(fields=["action", "-seq"], name="audit_event_action"),
            models.Index(fields=["target_type", "target_id", "-seq"], name="audit_event_target"),
            models.Index(fields=["at"], name="audit_event_at"),
            # The sequencer's work list: only unlinked entries, so "nothing to do" is one probe.
            models.Index(fields=["id"], name="audit_event_unlinked", condition=Q(seq__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(name="audit_event_seq_positive", condition=Q(seq__gte=1)),
            # Linked all at once or not at all; an unlinked entry carries its details.
            models.CheckConstraint(
                name="audit_event_linked_whole",
                condition=(
                    Q(
                        seq__isnull=True,
                        canon__isnull=True,
                        prev__isnull=True,
                        chain__isnull=True,
                        details_json__isnull=False,
                    )
                    | Q(
                        seq__isnull=False,
                        canon__isnull=False,
                        prev__isnull=False,
                        chain__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action_name} by {self.actor}"

    @property
    def linked(self) -> bool:
        return self.canon is not None

    @cached_property
    def entry(self) -> dict[str, Any]:
        """The hashed entry, decoded: what the viewer shows (never the index columns).

        An entry not linked yet has no hashed form: it is shown from its columns, `seq` None.
        """
        if self.canon is None:
            return pending_entry(
                at=self.at,
                actor=self.actor,
                action=self.action,
                target_type=self.target_type,
                target_id=self.target_id,
                details=bytes(self.details_json or b"{}"),
            )
        value: dict[str, Any] = json.loads(bytes(self.canon))
        return value

    @property
    def action_name(self) -> str:
        try:
            return Action(self.entry["action"]).name
        except ValueError:
            return str(self.entry["action"])

    @property
    def details(self) -> dict[str, Any]:
        details: dict[str, Any] = self.entry["details"]
        return details

    @property
    def entry_time(self) -> Any:
        return parse_time(self.entry["at"])


def pending_entry(
    *, at: Any, actor: str, action: int, target_type: str, target_id: str, details: bytes
) -> dict[str, Any]:
    """An unlinked entry in the shape of a hashed one, with `seq` None."""
    return {
        "v": FORMAT_VERSION,
        "seq": None,
        "at": format_time(at),
        "actor": actor,
        "action": action,
        "target": [target_type, target_id] if target_type or target_id else None,
        "details": json.loads(details),
    }


class Checkpoint(AppendOnlyModel):
    """A signed checkpoint (C2SP signed note) over the first `size` entries."""

    _writer_token = object()

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField()
    chain_head = models.BinaryField()
    # The perfect-subtree roots at `size`: the next checkpoint hashes only the new entries.
    # Trusted only after they fold to this checkpoint's signed root.
    compact_range = models.BinaryField()
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "audit_checkpoint"
        ordering = ["-size"]
        constraints = [
            models.CheckConstraint(name="audit_checkpoint_size_positive", condition=Q(size__gte=1)),
        ]

    def __str__(self) -> str:
        return f"checkpoint at {self.size}"


class StreamCursor(models.Model):
    """How far the stream to the SIEM (AUDIT_STREAM) has shipped: the last seq it delivered.

    Not part of the append-only log: a cursor moves. One row per target, so pointing the
    stream at a new target ships the whole log there from entry 1.
    """

    target = models.CharField(max_length=255, unique=True)
    shipped_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "audit_stream_cursor"

    def __str__(self) -> str:
        return f"stream to {self.target} at {self.shipped_seq}"
