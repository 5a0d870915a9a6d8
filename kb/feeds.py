"""Atom feeds of published lessons: all of them, and per theme."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from kb.models import Lesson, Theme

FEED_SIZE = 30


def latest(lessons):
    return (
        lessons.with_video()
        .prefetch_related("takeaways")
        .order_by("-created_at", "-pk")[:FEED_SIZE]
    )


class LessonsFeed(Feed):
    feed_type = Atom1Feed
    title = "Career lessons"
    subtitle = "New lessons from career videos and podcasts, each with the moment it was said."

    def link(self):
        return reverse("kb:lessons")

    def items(self):
        return latest(Lesson.objects.published())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        takeaways = "".join(f"\n• {t.text}" for t in item.takeaways.all())
        return f"{item.body}{takeaways}\n\nFrom “{item.video.title}” ({item.video.channel})"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.video.channel


class ThemeFeed(LessonsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj):
        return f"Career lessons: {obj.name}"

    def subtitle(self, obj):
        return obj.description or f"New lessons on {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return latest(Lesson.objects.published().filter(tags=obj))
