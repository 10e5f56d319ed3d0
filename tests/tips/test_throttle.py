from __future__ import annotations

from django.core.cache import cache
from django.test import Client, RequestFactory

from tests.tips.payloads import api_tip, form_tip
from tests.tips.throttling import fresh_address
from tips import throttle
from tips.models import Tip


def test_it_answers_a_flood_with_429_and_keeps_every_tip_that_got_a_receipt(recovery_key, limits):
    address = fresh_address()
    client = Client(REMOTE_ADDR=address)
    statuses = [
        client.post("/api/v1/tips/", api_tip(), content_type="application/json").status_code
        for _ in range(8)
    ]

    assert statuses == [201, 201, 201, 429, 429, 429, 429, 429]
    assert Tip.objects.count() == 3
    refused = client.post("/api/v1/tips/", api_tip(), content_type="application/json")
    assert refused.json()["error"]["code"] == "rate_limited"


def test_it_counts_each_client_apart(recovery_key, limits):
    first, second = Client(REMOTE_ADDR=fresh_address()), Client(REMOTE_ADDR=fresh_address())
    for _ in range(3):
        first.post("/api/v1/tips/", api_tip(), content_type="application/json")

    response = second.post("/api/v1/tips/", api_tip(), content_type="application/json")

    assert response.status_code == 201


def test_the_form_keeps_what_was_typed_when_rate_limited(recovery_key, limits):
    client = Client(REMOTE_ADDR=fresh_address())
    for _ in range(3):
        client.post("/tip/", form_tip())

    response = client.post("/tip/", form_tip(location="Behind the Quick Stop on 5th"))

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many reports from this connection" in page
    assert "Behind the Quick Stop on 5th" in page


def test_it_limits_follow_up_attempts(recovery_key, limits):
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = [
        client.post(
            "/api/v1/follow-up/", {"receipt": "AAAAA-AAAAA-AAAAA-AAAAA"}, "application/json"
        ).status_code
        for _ in range(4)
    ]

    assert statuses == [404, 404, 429, 429]


def test_it_never_puts_the_address_in_the_cache(limits):
    address = fresh_address()
    request = RequestFactory().post("/tip/", REMOTE_ADDR=address)
    throttle.hit(request, throttle.SUBMISSIONS)

    key = throttle.client_key(request, "submit", throttle._window())
    assert address not in key
    assert cache.get(key) == 1
    assert throttle.client_key(request, "submit", throttle._window()) == key


def test_it_unlinks_clients_when_the_window_changes(limits):
    request = RequestFactory().post("/tip/", REMOTE_ADDR=fresh_address())
    window = throttle._window()

    now_key = throttle.client_key(request, "submit", window)
    next_key = throttle.client_key(request, "submit", window + 1)

    assert now_key.rsplit(":", 1)[1] != next_key.rsplit(":", 1)[1]


def test_it_reads_the_client_from_a_trusted_proxy_header(settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().post(
        "/tip/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    assert throttle.client_address(request) == "203.0.113.9"


def test_a_zero_limit_turns_counting_off(settings):
    settings.TIP_RATE_SUBMISSIONS = 0
    request = RequestFactory().post("/tip/", REMOTE_ADDR=fresh_address())

    assert all(throttle.hit(request, throttle.SUBMISSIONS) for _ in range(50))
