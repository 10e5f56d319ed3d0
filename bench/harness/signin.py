"""The real staff sign-in (password, then TOTP), so that the vault is unlocked in the session.

A TOTP code is good once: a second sign-in of one account within the same 30-second step is
refused. Rather than waiting for the next step, a sign-in takes an account that has not used
the current step, and asks for a new one when every account has.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

STEP = 30


def _step(at: float) -> int:
    return int(at // STEP)


def totp_at(user: Any, at: float) -> str:
    from django_otp.oath import TOTP

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.seed(), device.STEP, 0, device.DIGITS, 0)
    totp.time = at
    return f"{totp.token():06d}"


class StaffSignIn:
    """Signed-in test clients for a pool of staff accounts sharing one password."""

    def __init__(
        self, accounts: list[Any], password: str, new_account: Callable[[], Any] | None = None
    ) -> None:
        self.accounts = list(accounts)
        self.password = password
        self.new_account = new_account
        self.last_step: dict[int, int] = {}

    def _free_account(self, step: int) -> Any:
        for user in self.accounts:
            if self.last_step.get(user.pk, -1) < step:
                return user
        if self.new_account is None:
            raise RuntimeError("every bench account has signed in within this TOTP step")
        user = self.new_account()
        self.accounts.append(user)
        return user

    def client(self, secure: bool = True) -> Any:
        from django.test import Client

        for _attempt in range(3):
            at = time.time()
            user = self._free_account(_step(at))
            self.last_step[user.pk] = _step(at)
            client = Client()
            response = client.post(
                "/staff/login/",
                {"username": user.username, "password": self.password},
                secure=secure,
            )
            if response.status_code != 302:
                raise RuntimeError(f"password step answered {response.status_code}")
            token = totp_at(user, at)
            response = client.post("/staff/login/verify/", {"otp_token": token}, secure=secure)
            if response.status_code == 302:
                return client
        raise RuntimeError("sign-in failed")
