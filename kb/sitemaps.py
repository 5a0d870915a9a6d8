from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from kb.kept import themes_in_use
from kb.models import Insight, Lesson, Person, Quote, Video


class StaticSitemap(Sitemap):
    def items(self):
        return ["kb:home", "kb:themes", "kb:lessons", "kb:quotes", "kb:insights", "kb:people",
                "kb:videos"]  # fmt: skip

    def location(self, item):
        return reverse(item)


class VideoSitemap(Sitemap):
    def items(self):
        return Video.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class LessonSitemap(Sitemap):
    def items(self):
        return Lesson.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class QuoteSitemap(Sitemap):
    def items(self):
        return Quote.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class ThemeSitemap(Sitemap):
    def items(self):
        return themes_in_use().order_by("pk")


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class InsightSitemap(Sitemap):
    def items(self):
        return Insight.objects.published().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


SITEMAPS = {
    "insights": InsightSitemap,
    "people": PersonSitemap,
    "pages": StaticSitemap,
    "videos": VideoSitemap,
    "lessons": LessonSitemap,
    "quotes": QuoteSitemap,
    "themes": ThemeSitemap,
}
