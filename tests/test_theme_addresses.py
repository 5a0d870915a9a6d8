"""A merged or renamed theme's old slug works wherever a theme slug is accepted, and an
unknown one says so on a normal page (issue 13)."""

from urllib.parse import urljoin

import pytest

from kb.models import ThemeRedirect
from tests.factories import LessonFactory, QuoteFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved():
    """`career-growth` was merged into `promotion`; `leadership` is a second theme."""
    promotion, leadership = ThemeFactory(name="promotion"), ThemeFactory(name="leadership")
    ThemeRedirect.objects.create(old_slug="career-growth", theme=promotion)
    LessonFactory(title="Both themes", tags=[promotion, leadership])
    LessonFactory(title="Promotion only", tags=[promotion])
    QuoteFactory(text="A quote on promotion", tags=[promotion])
    return promotion


@pytest.mark.parametrize(
    "old, new",
    [
        ("/themes/career-growth/", "/themes/promotion/"),
        ("/themes/career-growth/feed/", "/themes/promotion/feed/"),
        ("/themes/career-growth.md", "/themes/promotion.md"),
        ("/lessons/?tag=career-growth", "/lessons/?tag=promotion"),
        ("/lessons/?tag=leadership&tag=career-growth", "/lessons/?tag=leadership&tag=promotion"),
        ("/quotes/?tag=career-growth", "/quotes/?tag=promotion"),
        ("/themes/leadership/?and=career-growth", "/themes/leadership/?and=promotion"),
    ],
)
def test_an_old_theme_slug_redirects_everywhere(client, moved, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert urljoin(old, response["Location"]) == new
    assert client.get(old, follow=True).status_code == 200


def test_the_redirected_pages_show_the_themes_lessons(client, moved):
    body = client.get("/lessons/?tag=career-growth", follow=True).content.decode()
    assert "Both themes" in body and "Promotion only" in body
    narrowed = client.get("/themes/leadership/?and=career-growth", follow=True).content.decode()
    assert "Both themes" in narrowed and "Promotion only" not in narrowed
    assert (
        "A quote on promotion"
        in client.get("/quotes/?tag=career-growth", follow=True).content.decode()
    )


@pytest.mark.parametrize(
    "url",
    [
        "/lessons/?tag=no-such-theme",
        "/quotes/?tag=no-such-theme",
        "/themes/promotion/?and=no-such-theme",
    ],
)
def test_an_unknown_theme_filter_says_so_on_a_normal_page(client, moved, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No theme is called “no-such-theme”" in body
    assert "Both themes" not in body and "A quote on promotion" not in body


def test_a_known_theme_without_quotes_says_so(client, moved):
    ThemeFactory(name="quiet")
    body = client.get("/quotes/?tag=quiet").content.decode()
    assert "No published quotes on quiet yet." in body
    assert "No quotes yet" not in body
