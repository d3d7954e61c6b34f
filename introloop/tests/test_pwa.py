"""The installable app: manifest, service worker, offline page, share target and the contact
form that the share target fills in."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from introloop.network.models import Contact

pytestmark = pytest.mark.django_db

LINKEDIN_SHARE = (
    "/share/?title=Ann%20Lee%20-%20Staff%20Engineer%20-%20Acme%20%7C%20LinkedIn"
    "&url=https://www.linkedin.com/in/annlee"
)


def test_the_manifest_makes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert client.head("/manifest.webmanifest").status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Introloop"
    assert manifest["short_name"] == "Introloop"
    assert manifest["start_url"] == "/today/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0172ad"
    assert manifest["background_color"] == "#ffffff"
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for src in icons.values():
        assert finders.find(src.removeprefix("/static/")), src
    assert manifest["share_target"] == {
        "action": "/share/",
        "method": "GET",
        "enctype": "application/x-www-form-urlencoded",
        "params": {"title": "title", "text": "text", "url": "url"},
    }


def test_every_page_links_the_manifest_and_the_worker(alice_client):
    for page in (Client().get("/accounts/login/"), alice_client.get("/today/")):
        html = page.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert '<meta name="theme-color" content="#0172ad">' in html
        assert 'rel="apple-touch-icon"' in html
        assert re.search(r'<script src="[^"]*pwa\.js" data-service-worker="/sw\.js" defer>', html)


def precached(client) -> list[str]:
    script = client.get("/sw.js").content.decode()
    found = re.search(r"const PRECACHE = (\[.*?\]);", script)
    assert found
    return json.loads(found[1])


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"


def test_the_worker_keeps_only_public_files_and_the_offline_page(client, alice_client):
    urls = precached(client)
    assert "/offline/" in urls
    assert any(url.endswith("app.css") for url in urls)
    assert any(url.endswith("icon-512.png") for url in urls)
    for url in urls:
        assert url == "/offline/" or url.startswith("/static/"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert Client().get(url).status_code == 200, url  # reachable without an account
    # Signed in or not, the same list: nothing of anyone's is ever part of it.
    assert precached(alice_client) == urls


def test_the_worker_stores_nothing_at_run_time_and_pages_come_from_the_network(client):
    script = client.get("/sw.js").content.decode()
    assert ".put(" not in script  # only the install step fills the cache
    assert 'request.method !== "GET"' in script
    assert "fetch(request).catch(offlinePage)" in script


def test_the_cache_name_changes_with_the_static_files(client, settings, tmp_path):
    from introloop import pwa

    before = pwa.cache_version()
    assert f'const CACHE = "introloop-{before}";' in client.get("/sw.js").content.decode()
    copy = tmp_path / "introloop"
    copy.mkdir()
    original = Path(pwa.finders.find("introloop/app.css"))
    (copy / "app.css").write_text(original.read_text() + "\n/* changed */\n")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    pwa.finders.get_finder.cache_clear()
    try:
        assert pwa.cache_version() != before
    finally:
        settings.STATICFILES_DIRS = settings.STATICFILES_DIRS[1:]
        pwa.finders.get_finder.cache_clear()


def test_the_offline_page_is_public_and_holds_nothing_of_the_user(alice_client, alice):
    assert Client().get("/offline/").status_code == 200
    # A flash message waiting for the next page must neither show in the stored page nor be lost.
    alice_client.post("/contacts/new/", {"full_name": "Ann Lee"})
    response = alice_client.get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You are offline" in html
    assert "Nothing private is stored on this device" in html
    for private in (alice.email, alice.name, "Log out", "csrf", "Ann Lee"):
        assert private not in html
    assert not response.cookies
    assert html == Client().get("/offline/").content.decode()
    assert "Ann Lee is in your contacts." in alice_client.get("/today/").content.decode()


def test_sharing_asks_to_log_in_first_and_comes_back_with_what_was_shared(client, alice):
    response = client.get(LINKEDIN_SHARE)
    assert response.status_code == 302
    login = urlsplit(response.url)
    assert login.path == reverse("accounts:login")
    assert parse_qs(login.query)["next"] == [LINKEDIN_SHARE]
    response = client.post(
        response.url, {"username": alice.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == LINKEDIN_SHARE
    assert "Staff Engineer" in response.content.decode()


def test_the_share_page_offers_a_prefilled_contact_and_introduction(alice_client):
    response = alice_client.get(LINKEDIN_SHARE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann Lee - Staff Engineer - Acme | LinkedIn" in html
    contact = re.search(r'<a href="([^"]+)" role="button">New contact</a>', html)
    intro = re.search(r'<a href="([^"]+)" role="button" class="secondary">New introduction', html)
    assert contact and intro
    contact_url = urlsplit(contact[1].replace("&amp;", "&"))
    assert contact_url.path == "/contacts/new/"
    assert parse_qs(contact_url.query) == {
        "full_name": ["Ann Lee"],
        "title": ["Staff Engineer"],
        "company": ["Acme"],
        "linkedin_url": ["https://www.linkedin.com/in/annlee"],
    }
    intro_url = urlsplit(intro[1].replace("&amp;", "&"))
    assert intro_url.path == "/intros/new/"
    assert parse_qs(intro_url.query) == {
        "target_name": ["Ann Lee"],
        "target_company": ["Acme"],
        "target_url": ["https://www.linkedin.com/in/annlee"],
    }


def test_the_share_page_says_when_the_person_is_already_a_contact(alice_client, alice, bob):
    Contact.objects.create(
        owner=bob, full_name="Bob's Ann", linkedin_url="https://www.linkedin.com/in/annlee"
    )
    assert "already in your contacts" not in alice_client.get(LINKEDIN_SHARE).content.decode()
    Contact.objects.create(
        owner=alice, full_name="Ann Lee", linkedin_url="https://www.linkedin.com/in/annlee"
    )
    html = alice_client.get(LINKEDIN_SHARE).content.decode()
    assert "already in your contacts" in html
    assert "Bob&#x27;s Ann" not in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?title=&text=&url=",
        "?title=%00%01&text=%ED%A0%80&url=javascript:alert(1)",
        "?title=" + "x" * 20_000 + "&text=" + "%F0%9F%98%80" * 3000,
        "?title=a&title=b&url=https://www.linkedin.com/in/",
        "?text=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_the_share_page_renders_whatever_was_shared(alice_client, query):
    response = alice_client.get("/share/" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "New contact" in html and "New introduction" in html
    assert "<script>alert(1)" not in html


def test_the_share_page_takes_no_post(alice_client):
    assert alice_client.post("/share/", {"title": "Ann"}).status_code == 405


def test_the_contact_form_is_prefilled_from_the_link_and_saves_nothing(alice_client, alice):
    query = (
        "?full_name=Ann%20Lee&company=Acme&title=Staff%20Engineer"
        "&linkedin_url=https://www.linkedin.com/in/annlee&notes=Met%20at%20PyCon&owner=1&id=9"
    )
    response = alice_client.get("/contacts/new/" + query)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form["full_name"].value() == "Ann Lee"
    assert form["company"].value() == "Acme"
    assert form["title"].value() == "Staff Engineer"
    assert form["linkedin_url"].value() == "https://www.linkedin.com/in/annlee"
    assert form["notes"].value() == "Met at PyCon"
    html = response.content.decode()
    assert 'value="Ann Lee"' in html
    assert not Contact.objects.filter(owner=alice).exists()


def test_a_post_saves_what_was_posted_not_the_query(alice_client, alice):
    response = alice_client.post(
        "/contacts/new/?full_name=From%20the%20link", {"full_name": "Ann Lee", "company": "Acme"}
    )
    assert response.status_code == 302
    assert list(Contact.objects.filter(owner=alice).values_list("full_name", flat=True)) == [
        "Ann Lee"
    ]
