import json
import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from portal.errors import server_error

pytestmark = pytest.mark.django_db


def test_it_answers_unknown_api_urls_with_the_json_error_shape(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is nothing at this address.", "fields": {}}
    }


def test_it_answers_unknown_pages_with_an_html_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "There is nothing at this address." in response.content.decode()


def test_it_serves_the_openapi_schema_and_self_hosted_docs(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn.jsdelivr" not in docs.content.decode()


# --- Unhandled exceptions under /api/ -------------------------------------------------------

A_RECEIPT = "ABCDE-FGHJK-MNPQR-STVWX"
MINIMAL_TIP = {
    "what": "other",
    "description": "x",
    "immediate_danger": "no",
    "minor_involved": "no",
}


def _database_down():
    failure = OperationalError('connection to server at "192.0.2.99", port 5432 failed')
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=failure)


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/tips/", MINIMAL_TIP), ("/api/v1/follow-up/", {"receipt": A_RECEIPT})],
)
def test_it_answers_503_json_when_the_database_is_unavailable(
    path: str, body: dict, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    with _database_down(), caplog.at_level(logging.ERROR):
        response = client.post(path, body, content_type="application/json")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "The service is briefly unavailable. Please try again in a moment.",
            "fields": {},
        }
    }
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    logged = errors[0].getMessage()
    assert f"POST {path} answered 503 after OperationalError" in logged
    assert "192.0.2.99" not in logged and A_RECEIPT not in logged


def test_it_answers_500_json_without_the_exception_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    failure = RuntimeError("Workers sleep in the back room")
    with (
        mock.patch("tips.api.followup.read_thread", side_effect=failure),
        caplog.at_level(logging.ERROR),
    ):
        response = client.post(
            "/api/v1/follow-up/", {"receipt": A_RECEIPT}, content_type="application/json"
        )

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "back room" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    (logged,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "answered 500 after RuntimeError" in logged
    assert 'File "' in logged, "the stack is logged, for whoever fixes it"
    assert "back room" not in logged


def test_it_answers_json_under_debug_too(settings) -> None:
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    with _database_down():
        response = client.post(
            "/api/v1/follow-up/", {"receipt": A_RECEIPT}, content_type="application/json"
        )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_it_answers_503_from_handler500_when_a_middleware_lost_the_database() -> None:
    request = RequestFactory().get("/api/v1/triage/tips/")
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = server_error(request)

    assert response.status_code == 503
    assert json.loads(response.content)["error"]["code"] == "unavailable"


def test_it_keeps_the_html_500_page_outside_the_api() -> None:
    request = RequestFactory().get("/tip/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 500
    assert response.content.startswith(b"<!doctype html>")
