"""Atom feeds of published lessons (all of them, per theme, per person) and insights.

An entry's summary is HTML built by a template, escaped as the pages escape it, so
imported text never reaches a feed reader as markup; its links and ids are absolute.
Every feed names the site as its author (an entry may name its own), and drops the
characters XML 1.0 forbids, so one stray control character in a title cannot take a feed
down: all of them are `SiteFeed`s.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from kb import daily, reads
from kb.models import Insight, Lesson, Person, Theme
from kb.text import xml_text
from kb.views.people import person_or_redirect
from kb.views.reading import site_root, theme_or_redirect

FEED_SIZE = 30
DAILY_DAYS = 14
SITE_NAME = "Career lessons"


class XMLSafeAtom1Feed(Atom1Feed):
    """Atom whose every piece of text, the feed's and each entry's, is `xml_text`."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *map(xml_text, args), **{name: xml_text(value) for name, value in kwargs.items()}
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *map(xml_text, args), **{name: xml_text(value) for name, value in kwargs.items()}
        )


class SiteFeed(Feed):
    """What every feed of the site shares: XML-safe Atom, with the site as its author
    (RFC 4287: an entry with no author of its own takes the feed's)."""

    feed_type = XMLSafeAtom1Feed
    author_name = SITE_NAME


def latest(lessons):
    return (
        lessons.with_video("chapter")
        .prefetch_related("takeaways")
        .order_by("-created_at", "-pk")[:FEED_SIZE]
    )


class LessonsFeed(SiteFeed):
    title = SITE_NAME
    subtitle = "New lessons from career videos and podcasts, each with the moment it was said."

    def link(self):
        return reverse("kb:lessons")

    def items(self):
        return latest(Lesson.objects.published())

    def item_title(self, item):
        return item.title

    description_template = "kb/feed_lesson.html"

    def get_context_data(self, **kwargs):
        return {"lesson": kwargs["item"], "site": site_root(kwargs["request"])}

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.video.channel or None  # an empty <name> is invalid: the site's stands


class DailyFeed(LessonsFeed):
    """One entry a day, the lesson of that day: for feed readers and RSS-to-email."""

    title = "A career lesson a day"
    subtitle = "One lesson a day, each with the moment it was said."

    def link(self):
        return reverse("kb:daily")

    def get_object(self, request):
        # An entry's id is an absolute address, and only the request knows the host.
        return site_root(request)

    def items(self, root):
        today = timezone.localdate()
        days = [today - datetime.timedelta(days=back) for back in range(DAILY_DAYS)]
        lessons = Lesson.objects.published().with_video("chapter").prefetch_related("takeaways")
        picked = daily.lessons_for(days, lessons)
        return [DailyEntry(day, picked[day], root) for day in days if day in picked]

    def item_title(self, item):
        return f"{item.day:%-d %B %Y}: {item.lesson.title}"

    def item_link(self, item):
        return item.lesson.get_absolute_url()

    def item_guid(self, item):
        return f"{item.root}{item.lesson.get_absolute_url()}#daily-{item.day.isoformat()}"

    def get_context_data(self, **kwargs):
        kwargs["item"] = kwargs["item"].lesson
        return super().get_context_data(**kwargs)

    def item_pubdate(self, item):
        return datetime.datetime.combine(item.day, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item):
        return self.item_pubdate(item)

    def item_author_name(self, item):
        return item.lesson.video.channel or None


@dataclass
class DailyEntry:
    day: datetime.date
    lesson: Lesson
    root: str  # the site's scheme and host


class InsightsFeed(SiteFeed):
    title = "Career insights"
    subtitle = "Advice several guests give, each voice on its moment."
    description_template = "kb/feed_insight.html"

    def link(self):
        return reverse("kb:insights")

    def items(self):
        return latest_insights(reads.insights())

    def item_title(self, item):
        return item.title

    def get_context_data(self, **kwargs):
        return {"insight": kwargs["item"]}

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


def latest_insights(insights):
    return insights.order_by("-created_at", "-pk")[:FEED_SIZE]


class KeptAddressFeed(LessonsFeed):
    """A feed of something with a slug: a merged or renamed one's old feed address
    redirects (`or_redirect`, the view helper its page uses), like its page."""

    or_redirect = None
    url_name = ""

    def __call__(self, request, slug):
        try:
            return super().__call__(request, slug=slug)
        except Http404:
            moved = type(self).or_redirect(request, slug, self.url_name)[1]
            if moved is None:
                raise
            return moved


class ThemeFeed(KeptAddressFeed):
    or_redirect = theme_or_redirect
    url_name = "kb:theme-feed"
    description_template = "kb/feed_theme_item.html"

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"Career lessons: {obj.name}"

    def subtitle(self, obj):
        return obj.description or f"New lessons on {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        """Its lessons and its insights, newest first."""
        lessons = list(latest(Lesson.objects.published().under(obj)))
        insights = list(latest_insights(reads.insights().filter(themes=obj)))
        return sorted(lessons + insights, key=lambda item: item.created_at, reverse=True)[
            :FEED_SIZE
        ]

    def item_title(self, item):
        return f"Insight: {item.title}" if isinstance(item, Insight) else item.title

    def get_context_data(self, **kwargs):
        if isinstance(kwargs["item"], Insight):
            return {"insight": kwargs["item"]}
        return super().get_context_data(**kwargs)

    def item_author_name(self, item):
        return None if isinstance(item, Insight) else item.video.channel or None


class PersonFeed(KeptAddressFeed):
    or_redirect = person_or_redirect
    url_name = "kb:person-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Person.objects.published(), slug=slug)

    def title(self, obj):
        return f"Career lessons from {obj.name}"

    def subtitle(self, obj):
        return obj.bio or f"New lessons from {obj.name}, each with the moment it was said."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return latest(Lesson.objects.published().by(obj))
