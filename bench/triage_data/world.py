"""The triage database of a run: staff, real tips, then synthetic tips grown size by size.

Set up under the production profile (DEBUG off, Argon2id at production cost): migrated, static
files collected, the vault initialised; five investigators holding the triage desk (granted
with the recovery key) and a supervisor, all of them assignees of synthetic tips.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.harness.signin import StaffSignIn
from bench.triage_data.real_tips import PLACES, TRUCKS, Pools, description, real_submission
from bench.triage_data.settings import REAL_TIPS
from bench.triage_data.synthetic import Loader, Shape, Synthesizer, load_synthetic

PASSWORD = "bench triage staff password 1"  # noqa: S105 - bench accounts, dropped database
INVESTIGATORS = 5


@dataclass
class World:
    signins: StaffSignIn
    real_codes: list[str]
    real_ids: list[int]
    real_max_id: int
    pools: Pools
    shape: Shape
    loaded_upto: int
    document_keys: frozenset[str]
    resealed: int = 0


def _staff(recovery_key: Any) -> tuple[list[Any], Any]:
    """The investigators (holding the triage desk), the supervisor, and a way to add one more
    investigator when every account has signed in within the current TOTP step."""
    from portal import vault
    from portal.accounts.actions import do_create_staff

    def investigator(name: str) -> Any:
        user, _uri = do_create_staff(
            name, role="investigator", password=PASSWORD, organization=None, acting_user=None
        )
        vault.grant_desk_with_recovery(vault.triage_desk(), user, recovery_key)
        return user

    investigators = [investigator(f"bench-investigator-{n}") for n in range(1, INVESTIGATORS + 1)]
    supervisor, _uri = do_create_staff(
        "bench-supervisor",
        role="supervisor",
        password=PASSWORD,
        organization=None,
        acting_user=None,
    )
    extra = iter(range(INVESTIGATORS + 1, 10_000))
    signins = StaffSignIn(
        investigators, PASSWORD, lambda: investigator(f"bench-investigator-{next(extra)}")
    )
    return [*investigators, supervisor], signins


def setup() -> World:
    from django.core.management import call_command

    from portal import vault
    from portal.vault.models import WrappedKey
    from tips.actions import do_submit_tip
    from tips.areas import area_codes
    from tips.indicators import INDICATOR_CODES
    from tips.models import FORM_WHAT_CHOICES, Tip

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    recovery_key = vault.initialize()
    staff, signins = _staff(recovery_key)
    print(
        f"setup: migrate, collectstatic, vault, {len(staff)} staff:"
        f" {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    pools = Pools.make(rng)
    for _ in range(REAL_TIPS):
        do_submit_tip(real_submission(rng, pools))
    real = list(Tip.objects.order_by("pk"))
    elapsed = time.perf_counter() - started
    print(
        f"real tips: {len(real)} through do_submit_tip in {elapsed:.1f} s "
        f"({elapsed / len(real) * 1000:.1f} ms each), "
        f"{sum(t.identifier_count for t in real)} identifiers"
    )
    wrap = WrappedKey.objects.filter(record_type="tips.tip").first()
    shape = Shape(
        content_lengths=[len(bytes(t.content)) for t in real],
        contact_length=max((len(bytes(t.contact)) for t in real if t.contact), default=200),
        public_key_length=len(bytes(real[0].tipster_public_key)),
        wrap_length=len(bytes(wrap.wrapped_key)),
        staff_ids=[user.pk for user in staff],
        desk_id=vault.triage_desk().pk,
        whats=[value for value, _label in FORM_WHAT_CHOICES],
        areas=sorted(area_codes()),
        indicators=sorted(INDICATOR_CODES),
    )
    # What a sealed tip holds: the synthetic tips sealed for real must hold the same.
    document = json.loads(
        vault.open_record_key(real[0].vault_record, vault.RecoveryKeyring(recovery_key)).decrypt(
            "content", bytes(real[0].content)
        )
    )
    lengths = shape.content_lengths
    print(
        f"  sizes from the real tips: content {min(lengths)}-{max(lengths)} B "
        f"(mean {sum(lengths) / len(lengths):.0f}), tipster public key "
        f"{shape.public_key_length} B, wrapped data key {shape.wrap_length} B"
    )
    return World(
        signins=signins,
        real_codes=[str(t.code) for t in real],
        real_ids=[t.pk for t in real],
        real_max_id=real[-1].pk,
        pools=pools,
        shape=shape,
        loaded_upto=real[-1].pk,
        document_keys=frozenset(document),
    )


def sealed_document(rng: random.Random) -> dict[str, Any]:
    """An unrelated tip's sealed content, as `do_submit_tip` seals it (identifiers found in the
    text, normalised, included)."""
    from tips import extract

    values = {
        "place": rng.choice(PLACES),
        "phone": f"(660) 555-{rng.randrange(10_000):04d}",
        "truck": rng.choice(TRUCKS),
        "plate": f"Z{rng.randrange(10_000, 99_999)}",
        "handle": f"other_{rng.randrange(10**6)}",
        "email": f"x{rng.randrange(10**6)}@elsewhere.example.org",
    }
    document: dict[str, Any] = {
        "description": description(rng, values, rng.randrange(300, 1500)),
        "when": "",
        "location": values["place"],
        "people": "",
        "vehicles": "",
        "identifiers": {
            "phones": [values["phone"]],
            "emails": [],
            "handles": [],
            "urls": [],
            "plates": [],
        },
        "indicators": [],
    }
    found = extract.extract_all(document["identifiers"], document["description"])
    document["found"] = sorted([item.kind, item.value] for item in found)
    return document


def reseal_collisions(world: World, loader: Loader, since_id: int) -> int:
    """Seal for real the synthetic tips whose blind index collides with a real tip's.

    The related-tips lookup decrypts such candidates to rule them out; with random bytes and a
    random wrap they would be skipped after a failed unwrap, cheaper than in production."""
    from django.db import transaction

    from portal import vault
    from portal.vault.models import WrappedKey
    from tips.models import Tip

    rows = loader.execute(
        "SELECT DISTINCT t.id, t.code FROM tips_identifier r"
        " JOIN tips_identifier s ON s.kind = r.kind AND s.digest = r.digest"
        " JOIN tips_tip t ON t.id = s.tip_id"
        " WHERE r.tip_id <= %s AND s.tip_id > %s",
        [world.real_max_id, since_id],
    )
    rng = random.Random(since_id)  # noqa: S311 - test data, not secrets
    desk = vault.triage_desk()
    for start in range(0, len(rows), 500):
        with transaction.atomic():
            for tip_id, code in rows[start : start + 500]:
                record = ("tips.tip", str(code))
                WrappedKey.objects.filter(record_type=record[0], record_id=record[1]).delete()
                key = vault.new_record_key(record, desks=[desk])
                document = sealed_document(rng)
                if set(document) != world.document_keys:
                    raise RuntimeError(
                        "the submission seals other fields than the bench does: "
                        f"{sorted(world.document_keys)} against {sorted(document)}"
                    )
                sealed = key.encrypt("content", json.dumps(document).encode())
                Tip.objects.filter(pk=tip_id).update(content=sealed)
    world.resealed += len(rows)
    return len(rows)


def grow(world: World, loader: Loader, size: int) -> None:
    """Synthetic tips up to `size` in all, then VACUUM ANALYZE and a checkpoint."""
    from django.utils import timezone

    count = size - world.loaded_upto
    if count <= 0:
        return
    synth = Synthesizer(world.shape, timezone.now(), seed=size)
    first = world.loaded_upto + 1
    elapsed = load_synthetic(loader, synth, first, count)
    print(
        f"loaded {count:,} synthetic tips in {elapsed:.1f} s ({count / elapsed:,.0f} tips/s, "
        "with their identifiers, wrapped keys and audit entries)"
    )
    started = time.perf_counter()
    resealed = reseal_collisions(world, loader, world.loaded_upto)
    world.loaded_upto = size
    reseal_time = time.perf_counter() - started
    started = time.perf_counter()
    loader.conn.autocommit = True
    loader.conn.execute("VACUUM ANALYZE")
    loader.conn.execute("CHECKPOINT")  # the load's dirty pages written before measuring
    loader.conn.autocommit = False
    print(
        f"  {resealed} of them collide with a real tip's blind index: sealed for real "
        f"({reseal_time:.1f} s, {world.resealed} so far); VACUUM ANALYZE + CHECKPOINT "
        f"{time.perf_counter() - started:.1f} s"
    )
    sizes = loader.execute(
        "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class"
        " WHERE relname IN ('tips_tip', 'tips_identifier', 'portal_wrappedkey', 'audit_event')"
        " ORDER BY relname"
    )
    counts = loader.execute(
        "SELECT (SELECT count(*) FROM tips_tip), (SELECT count(*) FROM tips_tip"
        " WHERE status <> 'closed'), (SELECT count(*) FROM tips_identifier),"
        " (SELECT count(*) FROM audit_event)"
    )[0]
    print(
        f"  tips {counts[0]:,} ({counts[1]:,} open), identifiers {counts[2]:,}, audit entries "
        f"{counts[3]:,}; on disk: " + ", ".join(f"{name} {size}" for name, size in sizes)
    )
