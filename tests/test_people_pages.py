"""People pages (issue 15): everything one person said, published only, on its moment;
narrowing by person; merges that keep addresses working."""

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from kb.models import Lesson, Person, PersonRedirect, Role, Status
from tests.factories import (
    CreditFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_guests():
    promotion, leadership = ThemeFactory(name="promotion"), ThemeFactory(name="leadership")
    ada, bo, host = (
        PersonFactory(name="Ada Lovelace"),
        PersonFactory(name="Bo Chen"),
        PersonFactory(name="Cy Host"),
    )
    video = VideoFactory(title="Two guests", youtube_id="dQw4w9WgXcQ")
    CreditFactory(video=video, person=ada, position=0)
    CreditFactory(video=video, person=bo, position=1)
    CreditFactory(video=video, person=host, role=Role.HOST)
    LessonFactory(video=video, title="Said by both guests", tags=[promotion], start_seconds=125)
    hosts = LessonFactory(video=video, title="Said by the host", tags=[leadership])
    hosts.people.add(host)
    adas = LessonFactory(video=video, title="Said by Ada alone", tags=[promotion, leadership])
    adas.people.add(ada)
    LessonFactory(video=video, title="A draft lesson", status=Status.DRAFT)
    QuoteFactory(video=video, text="Ada's published words", speaker=ada)
    QuoteFactory(video=video, text="Ada's draft words", speaker=ada, status=Status.DRAFT)
    draft_video = VideoFactory(title="Secret video", status=Status.DRAFT)
    CreditFactory(video=draft_video, person=ada)
    LessonFactory(video=draft_video, title="Lesson of a draft video")
    return {"ada": ada, "bo": bo, "host": host, "video": video}


# fmt: skip


def test_a_person_page_has_their_lessons_quotes_videos_and_themes(client, two_guests):
    body = client.get("/people/ada-lovelace/").content.decode()
    assert "Said by both guests" in body and "Said by Ada alone" in body
    assert "Said by the host" not in body  # the host's own lesson
    assert "Ada&#x27;s published words" in body
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=125s" in body
    assert "Two guests" in body and "guest" in body
    assert 'href="/themes/promotion/?person=ada-lovelace"' in body
    for secret in ("A draft lesson", "Secret video", "Lesson of a draft video", "draft words"):
        assert secret not in body, secret
    host = client.get("/people/cy-host/").content.decode()
    assert "Said by the host" in host and "Said by both guests" not in host


def test_the_people_list_counts_published_work_only(client, two_guests):
    response = client.get("/people/")
    people = {p.name: p for p in response.context["page"]}
    assert (people["Ada Lovelace"].video_count, people["Ada Lovelace"].lesson_count,
            people["Ada Lovelace"].quote_count) == (1, 2, 1)  # fmt: skip
    assert people["Bo Chen"].lesson_count == 1
    assert people["Cy Host"].lesson_count == 1


def test_someone_with_nothing_published_has_no_page(client, two_guests):
    ghost = PersonFactory(name="Ghost Writer")
    CreditFactory(video=VideoFactory(status=Status.DRAFT), person=ghost)
    assert client.get("/people/ghost-writer/").status_code == 404
    assert client.get("/people/ghost-writer/feed/").status_code == 404
    assert "Ghost Writer" not in client.get("/people/").content.decode()
    assert "ghost-writer" not in client.get("/sitemap.xml").content.decode()
    # Someone with published lessons has all four.
    assert client.get("/people/ada-lovelace/").status_code == 200
    assert client.get("/people/ada-lovelace/feed/").status_code == 200
    assert "Ada Lovelace" in client.get("/people/").content.decode()
    assert "/people/ada-lovelace/" in client.get("/sitemap.xml").content.decode()


def test_a_persons_feed_has_their_published_lessons(client, two_guests):
    root = ET.fromstring(client.get("/people/ada-lovelace/feed/").content)
    titles = {e.find("{http://www.w3.org/2005/Atom}title").text
              for e in root.findall("{http://www.w3.org/2005/Atom}entry")}  # fmt: skip
    assert titles == {"Said by both guests", "Said by Ada alone"}


def test_person_narrows_lessons_and_quotes_and_combines_with_tag(client, two_guests):
    body = client.get("/lessons/?person=ada-lovelace&tag=leadership").content.decode()
    assert "Said by Ada alone" in body and "Said by both guests" not in body
    body = client.get("/lessons/?person=bo-chen").content.decode()
    assert "Said by both guests" in body and "Said by Ada alone" not in body
    quotes = client.get("/quotes/?person=ada-lovelace").content.decode()
    assert "Ada&#x27;s published words" in quotes
    theme = client.get("/themes/promotion/?person=bo-chen").content.decode()
    assert "Said by both guests" in theme and "Said by Ada alone" not in theme
    unknown = client.get("/lessons/?person=nobody")
    assert (
        unknown.status_code == 200 and "Nobody here is called “nobody”" in unknown.content.decode()
    )


def test_pages_name_the_people_with_links(client, two_guests):
    lesson = Lesson.objects.get(title="Said by both guests")
    body = client.get(lesson.get_absolute_url()).content.decode()
    assert '<a href="/people/ada-lovelace/">Ada Lovelace</a>' in body
    assert '<a href="/people/bo-chen/">Bo Chen</a>' in body
    video = client.get(two_guests["video"].get_absolute_url()).content.decode()
    assert 'Cy Host</a> <span class="meta">(host)</span>' in video
    assert (
        '<a href="/people/ada-lovelace/">Ada Lovelace</a>, '
        in client.get("/quotes/").content.decode()
    )


def test_json_ld_describes_the_person_and_the_video_and_escapes_text(client, two_guests):
    ada = two_guests["ada"]
    ada.bio = "</script><script>alert(1)</script>"
    ada.save()
    body = client.get("/people/ada-lovelace/").content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert json.loads(script) == {
        "@context": "https://schema.org", "@type": "Person", "name": "Ada Lovelace",
        "url": "http://testserver/people/ada-lovelace/", "description": ada.bio,
    }  # fmt: skip
    video = client.get(two_guests["video"].get_absolute_url()).content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', video, re.S)
    data = json.loads(script)
    assert data["@type"] == "VideoObject" and data["duration"] == "PT3600S"
    assert [a["name"] for a in data["actor"]] == ["Ada Lovelace", "Bo Chen", "Cy Host"]


def test_merging_people_moves_everything_and_keeps_the_old_address(client, editor, two_guests):
    ada, bo = two_guests["ada"], two_guests["bo"]
    response = client.post(
        "/admin/kb/person/",
        {"action": "merge", "_selected_action": [ada.pk, bo.pk], "target": ada.pk, "apply": "1"},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=bo.pk).exists()
    assert PersonRedirect.objects.get(old_slug="bo-chen").person == ada
    assert client.get("/people/bo-chen/")["Location"] == "/people/ada-lovelace/"
    assert client.get("/people/bo-chen/feed/")["Location"] == "/people/ada-lovelace/feed/"
    assert client.get("/lessons/?person=bo-chen")["Location"] == "?person=ada-lovelace"
    assert two_guests["video"].credits.filter(person=ada, role=Role.GUEST).count() == 1


def test_a_renamed_person_keeps_the_old_address(client, editor, two_guests):
    bo = two_guests["bo"]
    client.post(
        f"/admin/kb/person/{bo.pk}/change/",
        {"name": "Bo Chen-Li", "slug": "bo-chen-li", "bio": "", "link": ""},
    )
    assert client.get("/people/bo-chen/")["Location"] == "/people/bo-chen-li/"


def test_the_seed_guest_has_his_fifteen_lessons(client, seed_path):
    call_command("import_video", str(seed_path), "--publish", stdout=io.StringIO())
    response = client.get("/people/evan-king/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 15
    assert response.content.decode().count('class="moment') >= 15


def test_search_narrowed_to_a_person(client, two_guests):
    response = client.get("/search/?q=said&person=ada-lovelace")
    titles = [hit.lesson.title for hit in response.context["page"]]
    assert sorted(titles) == ["Said by Ada alone", "Said by both guests"]
    quotes = client.get("/search/?q=words&person=ada-lovelace").context["results"].quotes
    assert [hit.quote.text for hit in quotes] == ["Ada's published words"]
    assert not client.get("/search/?q=words&person=bo-chen").context["results"].quotes


def test_the_theme_markdown_names_who_gives_each_lesson(client, two_guests):
    text = client.get("/themes/promotion.md").content.decode()
    assert "Ada Lovelace, Bo Chen, in “Two guests”" in text
    assert "Ada Lovelace, in “Two guests”" in text
