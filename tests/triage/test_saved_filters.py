"""Saved queue views: a member names the current queue filter, finds it as a link above the
queue, and deletes it; nobody sees another's; only the known filter parameters are kept, never
the text of an identifier search; a limit per member; audited with ids only."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from audit import Action
from tests.readers import database_text, events
from tests.staff import sign_in
from triage import actions
from triage.models import SavedQueueFilter

SAVE = "/triage/saved-views/"
PHONE = "913 555 0142"


@pytest.fixture
def web(investigator):
    return sign_in(Client(), investigator)


def _save(client, name: str, query: str):
    return client.post(SAVE, {"name": name, "query": query})


def _delete_url(saved: SavedQueueFilter) -> str:
    return f"/triage/saved-views/{saved.code}/delete/"


def test_it_saves_the_filter_and_lists_it_as_a_link_to_that_queue(web, investigator):
    response = _save(web, "Labor, mine", "category=labor_trafficking&mine=1&cursor=abc")

    saved = SavedQueueFilter.objects.get(user=investigator)
    assert (saved.name, saved.query) == ("Labor, mine", "category=labor_trafficking&mine=1")
    assert response.status_code == 302
    assert response["Location"] == "/triage/?category=labor_trafficking&mine=1"
    page = web.get(response["Location"]).content.decode()
    assert "View “Labor, mine” saved." in page
    assert '<a href="/triage/?category=labor_trafficking&amp;mine=1"' in page
    assert ">Labor, mine</a>" in page


def test_the_view_of_the_current_filter_is_marked_current(web):
    _save(web, "Unclaimed", "unclaimed=1")

    page = web.get("/triage/", {"unclaimed": "on"}).content.decode()

    assert '<a href="/triage/?unclaimed=1" aria-current="page">Unclaimed</a>' in page


def test_each_member_sees_only_their_own_views(web, other_investigator):
    actions.do_save_queue_filter("Oscar's urgent", {"priority_level": "urgent"},
                                 acting_user=other_investigator)  # fmt: skip
    _save(web, "Mine", "mine=1")

    page = web.get("/triage/").content.decode()

    assert "Mine" in page
    assert "Oscar&#x27;s urgent" not in page and "priority_level=urgent" not in page


def test_it_deletes_ones_own_view(web, investigator):
    saved = actions.do_save_queue_filter("Open", {}, acting_user=investigator)

    response = web.post(_delete_url(saved), {"back": "status=new&bogus=<x>"})

    assert response.status_code == 302
    assert response["Location"] == "/triage/?status=new&bogus=%3Cx%3E"
    assert not SavedQueueFilter.objects.filter(pk=saved.pk).exists()
    [event] = events(Action.QUEUE_FILTER_DELETED)
    assert (event.actor, event.target_id) == (str(investigator.pk), str(saved.code))


def test_another_members_view_is_not_found(web, other_investigator):
    theirs = actions.do_save_queue_filter("Theirs", {}, acting_user=other_investigator)

    assert web.post(_delete_url(theirs)).status_code == 404
    assert SavedQueueFilter.objects.filter(pk=theirs.pk).exists()
    assert events(Action.QUEUE_FILTER_DELETED) == []


def test_it_keeps_only_known_parameters_and_values(web, investigator):
    query = (
        "status=bogus&category=labor_trafficking&priority_level=urgent&area=Olathe"
        "&assignee=nobody-at-all&mine=yes&include_closed=0&cursor=abc&evil=%3Cscript%3E"
    )
    _save(web, "Cleaned", query)

    saved = SavedQueueFilter.objects.get(user=investigator)
    assert saved.query == "category=labor_trafficking&priority_level=urgent&area=olathe&mine=1"


def test_an_assignee_who_may_hold_tips_is_kept(web, investigator, other_investigator):
    _save(web, "Oscar's", f"assignee={other_investigator.username}&area=atlantis")

    assert SavedQueueFilter.objects.get().query == f"assignee={other_investigator.username}"


def test_identifier_search_text_is_never_stored(web, investigator):
    page = web.get("/triage/", {"q": PHONE, "unclaimed": "1"}).content.decode()
    assert "The text in Find is not saved with the view" in page

    _save(web, "Phone search", f"q={PHONE}&unclaimed=1")

    assert SavedQueueFilter.objects.get().query == "unclaimed=1"
    stored = database_text()
    assert PHONE not in stored and "9135550142" not in stored and "913+555" not in stored


def test_a_tip_number_search_is_kept_in_its_canonical_form(web, tip):
    year, serial = tip.number.split("-")[1:]

    _save(web, "That tip", f"q={year}-{int(serial)}")

    assert SavedQueueFilter.objects.get().query == f"q={tip.number}"
    assert events(Action.TIPS_SEARCHED) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the view a name."),
        ("x" * 61, "A name can be at most 60 characters."),
        ("OPEN tips", "You already have a view with that name: choose another."),
    ],
)
def test_a_refused_name_comes_back_with_what_was_typed(web, investigator, name, message):
    actions.do_save_queue_filter("Open tips", {}, acting_user=investigator)

    response = _save(web, name, f"status=new&q={PHONE}")

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{html.escape(name)}"' in body
    assert 'value="status=new&amp;q=913+555+0142"' in body  # the query, to send again
    assert "The text in Find is not saved with the view" in body
    assert SavedQueueFilter.objects.count() == 1
    assert events(Action.TIPS_SEARCHED) == []  # the form page runs no search


def test_a_member_keeps_at_most_twenty_views(web, investigator):
    for n in range(SavedQueueFilter.MAX_PER_USER):
        actions.do_save_queue_filter(f"View {n}", {}, acting_user=investigator)

    response = _save(web, "One too many", "mine=1")

    assert response.status_code == 400
    assert "You have 20 saved views, the most one person can keep" in response.content.decode()
    assert 'value="One too many"' in response.content.decode()
    assert SavedQueueFilter.objects.filter(user=investigator).count() == 20


def test_names_are_escaped(web):
    _save(web, '<img src=x onerror="alert(1)">', "mine=1")

    page = web.get("/triage/").content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_saving_is_audited_with_ids_only(web, investigator):
    _save(web, "Secret operation Nightjar", f"mine=1&q={PHONE}")

    saved = SavedQueueFilter.objects.get()
    [event] = events(Action.QUEUE_FILTER_SAVED)
    assert (event.actor, event.target_type, event.target_id) == (
        str(investigator.pk),
        "triage.savedqueuefilter",
        str(saved.code),
    )
    assert event.details == {}
    assert b"Nightjar" not in bytes(event.canon) and b"mine" not in bytes(event.canon)


def test_the_queue_reads_saved_views_in_one_query(web, investigator, submit,
                                                  django_assert_max_num_queries):  # fmt: skip
    for _ in range(3):
        submit()
    actions.do_save_queue_filter("First", {"mine": "1"}, acting_user=investigator)
    with django_assert_max_num_queries(12) as few:
        web.get("/triage/")
    for n in range(15):
        actions.do_save_queue_filter(f"More {n}", {"status": "new"}, acting_user=investigator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = web.get("/triage/").content.decode()
    assert page.count('href="/triage/?status=new"') == 15


def test_it_speaks_spanish(investigator, settings):
    # Staff pages have no /es/ prefix: they speak the portal's language.
    settings.LANGUAGE_CODE = "es"
    web = sign_in(Client(), investigator)
    actions.do_save_queue_filter("Abiertas", {}, acting_user=investigator)

    page = web.get("/triage/").content.decode()
    assert '<html lang="es">' in page
    assert "Vistas guardadas" in page and "Guardar esta vista" in page
    assert "Eliminar" in page and "Atajos de teclado" in page
    saved = web.post(SAVE, {"name": "Mías", "query": "mine=1"}, follow=True)
    assert "Vista «Mías» guardada." in saved.content.decode()
    refused = web.post(SAVE, {"name": "abiertas", "query": ""})
    assert refused.status_code == 400
    assert "Ya tiene una vista con ese nombre: elija otro." in refused.content.decode()


def test_a_liaison_has_no_saved_views(liaison_a):
    from tests.staff import login_verified

    client = Client()
    login_verified(client, liaison_a)

    assert client.post(SAVE, {"name": "x", "query": ""}).status_code == 403
    with pytest.raises(actions.NotYours):
        actions.do_save_queue_filter("x", {}, acting_user=liaison_a)
