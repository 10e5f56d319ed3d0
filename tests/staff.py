"""Staff sign-in helpers: the shared password, the code an authenticator app shows, and the two
ways a test client signs in (the full flow, or a session marked verified)."""

from __future__ import annotations

STAFF_PASSWORD = "correct horse battery staple 1"


def totp_now(user, offset_steps: int = 0) -> str:
    """The code the user's authenticator app shows right now."""
    import time

    from django_otp.oath import TOTP

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.seed(), device.STEP, 0, device.DIGITS, 0)
    totp.time = time.time() + offset_steps * device.STEP
    return f"{totp.token():06d}"


def sign_in(client, user, password: str = STAFF_PASSWORD):
    """The full web sign-in: password, then TOTP. Leaves the vault unlocked in the session."""
    response = client.post("/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content
    response = client.post("/staff/login/verify/", {"otp_token": totp_now(user)})
    assert response.status_code == 302, response.content
    return client


def login_verified(client, user) -> None:
    """Sign `user` in with the second factor marked verified, without the full flow.

    For tests of pages that need no vault; `sign_in` goes through password and TOTP for real.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator")
        device.provision()
        device.save(update_fields=["encrypted_seed"])
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
