"""What a query string may do to the page cache (issue 36): junk parameters make no
copies of a page, a page that reads its query is still cached right, a huge page is not
kept, and the API's rate limit holds when the cache refuses to count."""

import pytest
from django.core.cache import cache

from kb import cache as page_cache
from tests.factories import LessonFactory, TranscriptSegmentFactory, VideoFactory

pytestmark = pytest.mark.django_db


def stored_pages() -> list[str]:
    """The pages the cache holds, in local memory or in Redis (CI's PostgreSQL run)."""
    backend = cache._cache
    if hasattr(backend, "get_client"):
        return [key.decode() for key in backend.get_client().scan_iter("*kb:page:*")]
    return [key for key in backend if "kb:page:" in key]


def test_junk_query_strings_store_one_copy_of_a_page(client):
    video = VideoFactory(title="A long talk")
    TranscriptSegmentFactory(video=video, text="Ask for help early.")
    url = video.get_absolute_url() + "transcript/"
    for n in range(50):
        response = client.get(url, {"utm": n, f"junk{n}": "x" * n})
        assert response.status_code == 200
        assert "Ask for help early." in response.content.decode()
    assert len(stored_pages()) == 1
    assert client.get(url, {"utm_source": "newsletter"})["X-Cache"] == "hit"


def test_junk_never_reaches_the_page_readers_are_served(client):
    for n in range(25):
        LessonFactory(title=f"Advice number {n}")
    first = client.get("/lessons/", {"page": 2, "fbclid": "someone-else"})
    assert "someone-else" not in first.content.decode()
    again = client.get("/lessons/", {"page": 2, "fbclid": "mine"})
    assert again["X-Cache"] == "hit" and again.content == first.content


def test_a_page_that_reads_its_query_caches_each_page_separately(client):
    for n in range(25):
        LessonFactory(title=f"Advice number {n:02}")
    first = client.get("/lessons/").content.decode()
    second = client.get("/lessons/?page=2")
    assert second["X-Cache"] == "miss"
    assert client.get("/lessons/?page=2")["X-Cache"] == "hit"
    page_two = second.content.decode()
    assert page_two != first
    assert client.get("/lessons/").content.decode() == first
    assert client.get("/lessons/?page=2&utm=1").content.decode() == page_two
    assert len(stored_pages()) == 2


def test_a_page_that_does_not_say_what_it_reads_is_not_cached_with_a_query(client):
    LessonFactory(title="In the feed")
    for n in range(5):
        assert client.get("/feeds/lessons/", {"x": n}).status_code == 200
    assert stored_pages() == []


def test_a_page_over_the_size_limit_is_served_but_not_stored(client, settings):
    video = VideoFactory(title="A very long talk")
    for n in range(40):
        TranscriptSegmentFactory(video=video, text=f"Sentence {n} " + "word " * 40)
    url = video.get_absolute_url() + "transcript/"
    settings.PAGE_CACHE_MAX_BYTES = 1000
    response = client.get(url)
    assert response.status_code == 200 and "Sentence 39" in response.content.decode()
    assert "X-Cache" not in response
    assert stored_pages() == []
    settings.PAGE_CACHE_MAX_BYTES = 10_000_000
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"


class RefusingCache:
    """A cache that is full or gone: every write and read fails."""

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise ConnectionError("OOM command not allowed when used memory > 'maxmemory'")

        return refuse


@pytest.fixture
def refusing_cache(monkeypatch):
    monkeypatch.setattr(page_cache, "cache", RefusingCache())
    page_cache.guard.__init__()
    yield
    page_cache.guard.__init__()


def test_the_api_rate_limit_holds_when_the_cache_refuses_to_count(client, settings, refusing_cache):
    settings.API_REQUESTS_PER_MINUTE = 3
    reader = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(3):
        assert client.get("/api/v1/themes", **reader).status_code == 200
    limited = client.get("/api/v1/themes", **reader)
    assert limited.status_code == 429
    assert "at most 3 a minute" in limited.json()["detail"]
    assert client.get("/api/v1/themes", REMOTE_ADDR="10.0.0.9").status_code == 200
    # The pages still work without the cache.
    assert client.get("/lessons/").status_code == 200
