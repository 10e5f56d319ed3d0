"""The policy: each close reason's period, the open tip's review and five-year limit, review,
legal hold, the grace period and `--dry-run`, with a frozen clock."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from audit import Action
from audit.testing import link_entries
from retention import actions as retention
from retention.models import TipTombstone
from tests.commands import run
from tests.readers import events, fresh
from tests.retention.conftest import T0
from tips import followup
from tips.models import Tip
from triage import actions

PERIODS = [
    ("spam", "RETENTION_SPAM_DAYS", 30),
    ("unfounded", "RETENTION_UNFOUNDED_DAYS", 365),
    ("insufficient_information", "RETENTION_INSUFFICIENT_INFORMATION_DAYS", 365),
    ("duplicate", "RETENTION_DUPLICATE_DAYS", 365),
    ("resolved", "RETENTION_RESOLVED_DAYS", 1825),
]


def exists(tip) -> bool:
    return Tip.objects.filter(pk=tip.pk).exists()


@pytest.mark.parametrize(("close_reason", "setting", "days"), PERIODS)
def test_it_keeps_a_closed_tip_exactly_its_period(
    clock, submit, close, close_reason, setting, *, days, settings, supervisor, keys
):
    assert getattr(settings, setting) == days
    original = submit()[0] if close_reason == "duplicate" else None
    tip = close(submit()[0], close_reason, duplicate_of=original)
    if original is not None:
        retention.do_place_hold(original, "Keep", acting_user=supervisor, unlocked=keys(supervisor))

    assert fresh(tip).purge_after == T0 + timedelta(days=days)
    clock.move_to(T0 + timedelta(days=days) - timedelta(seconds=1), tick=False)
    assert run("purge_expired").strip().startswith("purged 0,")
    assert exists(tip)
    clock.move_to(T0 + timedelta(days=days), tick=False)
    assert run("purge_expired").strip().startswith("purged 1,")
    assert not exists(tip)


def test_it_reads_each_period_from_settings_and_zero_means_the_next_run(
    clock, submit, close, settings
):
    settings.RETENTION_SPAM_DAYS = 0
    tip = close(submit()[0], "spam")

    assert fresh(tip).purge_after == T0
    assert run("purge_expired").strip() == "purged 1, held 0, postponed 0"


def test_reopening_clears_the_purge_date(clock, submit, close, supervisor, keys):
    tip = close(submit()[0], "spam")

    reopened = actions.do_reopen(
        tip, acting_user=supervisor, reason="New lead", unlocked=keys(supervisor)
    )

    assert fresh(reopened).purge_after is None
    clock.move_to(T0 + timedelta(days=400), tick=False)
    assert run("purge_expired").strip() == "purged 0, held 0, postponed 0"


def test_an_open_tip_is_due_for_review_and_never_kept_five_years_without_one(clock, submit):
    tip = submit()[0]

    assert (tip.review_due, tip.unreviewed_limit) == (
        T0 + timedelta(days=365),
        T0 + timedelta(days=1825),
    )
    clock.move_to(T0 + timedelta(days=1825) - timedelta(seconds=1), tick=False)
    assert run("purge_expired").strip() == "purged 0, held 0, postponed 0"
    clock.move_to(T0 + timedelta(days=1825), tick=False)
    assert run("purge_expired").strip() == "purged 1, held 0, postponed 0"


def test_a_review_starts_a_new_period_and_is_audited_with_a_sealed_reason(
    clock, submit, investigator, keys
):
    tip = actions.do_claim(submit()[0], acting_user=investigator)
    later = T0 + timedelta(days=1800)
    clock.move_to(later, tick=False)

    retention.do_review(
        tip, "Still linked to the Pine St case", acting_user=investigator,
        unlocked=keys(investigator),
    )  # fmt: skip

    reviewed = fresh(tip)
    assert reviewed.review_due == later + timedelta(days=365)
    assert reviewed.unreviewed_limit == later + timedelta(days=1825)
    link_entries()
    entry = events(Action.TIP_REVIEWED, tip)[0]
    assert "Pine" not in bytes(entry.canon).decode()
    clock.move_to(T0 + timedelta(days=1826), tick=False)
    assert run("purge_expired").strip() == "purged 0, held 0, postponed 0"


def test_a_review_of_a_closed_tip_restarts_its_close_period(
    clock, submit, close, keys, investigator
):
    tip = close(submit()[0], "unfounded")
    clock.move_to(T0 + timedelta(days=300), tick=False)

    retention.do_review(tip, "Needed", acting_user=investigator, unlocked=keys(investigator))

    assert fresh(tip).purge_after == T0 + timedelta(days=300 + 365)


def test_a_review_needs_a_reason(submit, investigator, keys):
    tip = actions.do_claim(submit()[0], acting_user=investigator)

    with pytest.raises(retention.Invalid):
        retention.do_review(tip, "  ", acting_user=investigator, unlocked=keys(investigator))


def test_a_held_tip_is_never_purged_and_counts_as_held(clock, submit, close, supervisor, keys):
    tip = close(submit()[0], "spam")
    retention.do_place_hold(
        tip, "Subpoena 27-114", acting_user=supervisor, unlocked=keys(supervisor)
    )
    clock.move_to(T0 + timedelta(days=4000), tick=False)

    assert run("purge_expired").strip() == "purged 0, held 1, postponed 0"
    assert exists(tip)
    held = fresh(tip)
    assert held.hold and b"Subpoena" not in bytes(held.hold_reason)
    assert retention.read_hold_reason(held, keys(supervisor)) == "Subpoena 27-114"
    assert events(Action.TIP_HOLD_PLACED, tip)

    retention.do_release_hold(tip, "Case closed", acting_user=supervisor, unlocked=keys(supervisor))

    assert events(Action.TIP_HOLD_RELEASED, tip)
    assert run("purge_expired").strip() == "purged 1, held 0, postponed 0"


def test_only_supervisors_place_a_hold(submit, investigator, keys):
    tip = actions.do_claim(submit()[0], acting_user=investigator)

    with pytest.raises(retention.NotYours):
        retention.do_place_hold(tip, "Mine", acting_user=investigator, unlocked=keys(investigator))


def test_what_the_tipster_adds_postpones_the_purge_by_the_grace_period(clock, submit, close):
    tip, receipt = submit()
    close(tip, "unfounded")
    near_end = T0 + timedelta(days=360)
    clock.move_to(near_end, tick=False)

    followup.add_information(receipt, "One more thing: the van is back")

    assert fresh(tip).purge_after == near_end + timedelta(days=30)
    clock.move_to(T0 + timedelta(days=365), tick=False)
    assert run("purge_expired").strip() == "purged 0, held 0, postponed 0"
    clock.move_to(near_end + timedelta(days=30), tick=False)
    assert run("purge_expired").strip() == "purged 1, held 0, postponed 0"


def test_an_open_handoff_postpones_the_purge(clock, submit, close, investigator, liaison_a):
    from handoffs.models import Handoff
    from partners.models import Organization
    from tests import factories

    tip = close(submit()[0], "spam")
    factories.hand_off(tip, Organization.objects.get(slug="org-a"), acting_user=investigator)
    clock.move_to(T0 + timedelta(days=31), tick=False)

    assert run("purge_expired").strip() == "purged 0, held 0, postponed 1"
    assert fresh(tip).purge_after == T0 + timedelta(days=31 + 30)
    Handoff.objects.filter(tip=tip).update(status="declined")
    clock.move_to(T0 + timedelta(days=61), tick=False)
    assert run("purge_expired").strip() == "purged 1, held 0, postponed 0"


def test_a_dry_run_lists_what_would_go_and_changes_nothing(clock, submit, close):
    tip = close(submit()[0], "spam")
    clock.move_to(T0 + timedelta(days=31), tick=False)
    before = events(Action.RETENTION_PURGE_RUN)

    output = run("purge_expired", "--dry-run")

    assert f"would purge {tip.code}" in output
    assert output.strip().splitlines()[-1].startswith("purged 0, held 0, postponed 0")
    assert exists(tip) and not TipTombstone.objects.exists()
    assert events(Action.RETENTION_PURGE_RUN) == before


def test_the_purge_is_audited_per_tip_and_the_chain_still_verifies(clock, submit, close):
    tips = [close(submit()[0], "spam") for _ in range(3)]
    clock.move_to(T0 + timedelta(days=31), tick=False)

    run("purge_expired", batch=2)

    purged = events(Action.TIP_PURGED)
    assert sorted(entry.target_id for entry in purged) == sorted(str(t.code) for t in tips)
    link_entries()  # the test's transaction never commits, so no sequencer run came
    assert run("verify_audit").startswith("audit log intact: ")


def test_the_nightly_task_runs_the_same_purge(clock, submit, close, settings):
    from retention import tasks

    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-tips"]["task"] == (
        "retention.tasks.purge_expired"
    )
    close(submit()[0], "spam")
    clock.move_to(T0 + timedelta(days=31), tick=False)

    assert tasks.purge_expired() == "purged 1, held 0, postponed 0"


def test_the_warning_goes_to_the_assignee_once_before_the_purge(
    clock, submit, close, committed, mailoutbox, *, investigator
):
    investigator.email = "ivy@example.org"
    investigator.save()
    tip = close(submit()[0], "spam")

    clock.move_to(T0 + timedelta(days=30 - 15), tick=False)
    assert committed(retention.do_warn_of_purges) == 0
    clock.move_to(T0 + timedelta(days=30 - 14), tick=False)
    assert committed(retention.do_warn_of_purges) == 1
    assert committed(retention.do_warn_of_purges) == 0

    assert [m.to for m in mailoutbox] == [["ivy@example.org"]]
    assert "Nothing to it" not in mailoutbox[0].body and str(tip.code) not in mailoutbox[0].body
    assert events(Action.PURGE_WARNED, tip)


def test_the_warning_for_an_unassigned_tip_goes_to_the_supervisors(
    clock, submit, committed, mailoutbox, supervisor, *, investigator, settings
):
    supervisor.email = "sam@example.org"
    supervisor.save()
    investigator.email = "ivy@example.org"
    investigator.save()
    submit()
    clock.move_to(T0 + timedelta(days=1825 - 10), tick=False)

    committed(retention.do_warn_of_purges)

    assert [m.to for m in mailoutbox] == [["sam@example.org"]]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_progress_on_a_terminal_only(clock, submit, close):
    close(submit()[0], "spam")
    clock.move_to(T0 + timedelta(days=31), tick=False)
    out, err = Terminal(), io.StringIO()

    call_command("purge_expired", stdout=out, stderr=err)

    assert "looked at 1 tips" in err.getvalue()
    assert out.getvalue().strip() == "purged 1, held 0, postponed 0"
    assert "looked at" not in run("purge_expired", stderr=io.StringIO())
