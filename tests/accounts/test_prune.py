import pytest
from django.contrib.sessions.models import Session

from portal.accounts import lockout
from portal.accounts.models import SignInFailure, StaffSession
from portal.accounts.tasks import prune_sign_in_records

pytestmark = pytest.mark.django_db


def test_it_forgets_old_failures_and_ended_sessions(
    staff_client, investigator, settings, time_machine
) -> None:
    from django.utils import timezone

    time_machine.move_to(timezone.now())
    staff_client(investigator)
    lockout.reserve("someone")
    time_machine.shift(settings.LOCKOUT_PERIOD + 1)
    lockout.reserve("someone-else")
    Session.objects.all().delete()
    prune_sign_in_records.apply()
    assert list(SignInFailure.objects.values_list("username", flat=True)) == ["someone-else"]
    assert not StaffSession.objects.exists()


def test_it_keeps_live_sessions(staff_client, investigator) -> None:
    staff_client(investigator)
    prune_sign_in_records.apply()
    assert StaffSession.objects.filter(user=investigator).count() == 1
