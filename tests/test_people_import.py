"""Who is in a video, found on import (issue 15): the guest the headline and intro
share or the intro introduces, the host when the channel is a person the speech names;
nobody when the page is unclear; editors' choices kept on re-import."""

import io

import pytest
from django.core.management import call_command

from kb.importers.people import propose_people
from kb.models import Credit, Person, Role, Video
from tests.pages import page

SPEECH = "hello and welcome everyone today we talk about careers"


@pytest.mark.parametrize(
    "headline, intro, channel, speech, guests, host",
    [
        (  # the seed's shape: headline and intro share the name
            "How Evan King Accelerated His Software Engineering Career to Staff by 25",
            "Evan King, a software engineer who reached staff at Meta by 25, shares his story.",
            "Ryan Peterman", SPEECH, ["Evan King"], "",
        ),
        (  # named only in the intro
            "How a Backend Engineer Went From New Grad to Senior in Three Years",
            "Maya Lindqvist joined a payments company straight out of school.",
            "The Staff Track", SPEECH, ["Maya Lindqvist"], "",
        ),
        (  # two guests
            "Two Managers on Hiring",
            "A conversation with Ana Souza and with Jon Park, who both hire engineers.",
            "Hiring Talks", SPEECH, ["Ana Souza", "Jon Park"], "",
        ),
        (  # a channel that is a show's name is no host
            "How Priya Nair Went From Answering Tickets to Leading a Team",
            "Priya Nair’s path from a support desk shows what curiosity can do.",
            "Builders & Breakers Podcast", SPEECH, ["Priya Nair"], "",
        ),
        (  # a headline without a name, an intro without one
            "Why Shipping Small Is the One Habit Worth Keeping",
            "After ten years and four startups, the host argues that small changes win.",
            "Quiet Craft", SPEECH, [], "",
        ),
        (  # the host: a person's name the speech confirms
            "How Evan King Became Staff",
            "Evan King, an engineer at Meta, talks promotions.",
            "Ryan Peterman", "hi i'm ryan and today i'm talking with evan king", ["Evan King"],
            "Ryan Peterman",
        ),
        (  # capitalised phrases that are not people
            "Staff Engineer Promotion: Impact and Holistic Problem Solving",
            "Software Engineering Careers are long. New Zealand Engineers agree.",
            "Career Crossroads", SPEECH, [], "",
        ),
    ],
)  # fmt: skip
def test_guests_and_hosts_are_proposed_only_when_clear(headline, intro, channel, speech,
                                                       guests, host):  # fmt: skip
    found = propose_people(headline, intro, channel, speech)
    assert (found.guests, found.host) == (guests, host)


@pytest.mark.django_db
def test_the_seed_gets_its_guest(seed_path):
    call_command("import_video", str(seed_path), stdout=io.StringIO())
    video = Video.objects.get()
    assert [(c.person.name, c.role) for c in video.credits.all()] == [("Evan King", "guest")]


@pytest.mark.django_db
def test_the_samples_find_their_guests():
    call_command("load_samples", stdout=io.StringIO())
    credited = dict(Video.objects.values_list("slug", "credits__person__name"))
    assert credited["from-support-desk-to-engineering-manager-a-career-switch-story"] == (
        "Priya Nair"
    )
    assert credited["shipping-small-lessons-from-a-decade-of-startups"] is None  # a monologue
    assert credited["promoted-twice-in-three-years-what-actually-worked"] == "Maya Lindqvist"
    assert credited["calm-on-call-an-sre-on-incidents-burnout-and-saying-no"] == "Tomás Reyes"
    assert credited["ic-or-manager-choosing-your-path-after-senior"] == "Priya Raman"


@pytest.mark.django_db
def test_a_guest_in_two_videos_is_one_person(tmp_path):
    for n, channel in enumerate(["Career Talks", "Another Show"]):
        path = tmp_path / f"{n}.txt"
        text = (
            page(channel=channel)
            .replace("A headline about growing as an engineer", "How Evan King Grew Fast")
            .replace(
                "An intro paragraph", "Evan King, a staff engineer, explains. An intro paragraph"
            )
        )
        path.write_text(text, encoding="utf-8")
        call_command("import_video", str(path), stdout=io.StringIO())
    assert Person.objects.get().credits.count() == 2


@pytest.mark.django_db
def test_a_reimport_keeps_the_people_an_editor_set(tmp_path):
    path = tmp_path / "talk.txt"
    text = page().replace("A headline about growing as an engineer", "How Evan King Grew Fast")
    text = text.replace("An intro paragraph", "Evan King, a staff engineer, explains. An intro")
    path.write_text(text, encoding="utf-8")
    call_command("import_video", str(path), stdout=io.StringIO())
    video = Video.objects.get()
    video.credits.all().delete()
    Credit.objects.create(video=video, person=Person.objects.create(name="Evan K. King",
                          slug="evan-k-king"), role=Role.GUEST)  # fmt: skip
    path.write_text(text.replace("Be curious.", "Be very curious."), encoding="utf-8")
    call_command("import_video", str(path), "--update", stdout=io.StringIO())
    assert [c.person.name for c in video.credits.all()] == ["Evan K. King"]
