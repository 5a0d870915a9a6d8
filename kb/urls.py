from django.contrib.sitemaps.views import sitemap
from django.urls import path

from kb import views
from kb.feeds import DailyFeed, InsightsFeed, LessonsFeed, PersonFeed, ThemeFeed
from kb.sitemaps import SITEMAPS

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("card.png", views.site_card, name="site-card"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<str:slug>.md", views.theme_markdown, name="theme-markdown"),
    path("themes/<str:slug>.apkg", views.theme_deck, name="theme-anki"),
    path("themes/<str:slug>/", views.theme_detail, name="theme"),
    path("themes/<str:slug>/feed/", ThemeFeed(), name="theme-feed"),
    path("themes/<str:slug>/card.png", views.theme_card, name="theme-card"),
    path("lessons/", views.lesson_list, name="lessons"),
    path("lessons/<slug:slug>.md", views.lesson_markdown, name="lesson-markdown"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/card.png", views.lesson_card, name="lesson-card"),
    path("quotes/", views.quote_list, name="quotes"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("quotes/<int:pk>/card.png", views.quote_card, name="quote-card"),
    path("insights/", views.insight_list, name="insights"),
    path("insights/<slug:slug>/", views.insight_detail, name="insight"),
    path("insights/<slug:slug>/card.png", views.insight_card, name="insight-card"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>.apkg", views.person_deck, name="person-anki"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("people/<slug:slug>/feed/", PersonFeed(), name="person-feed"),
    path("people/<slug:slug>/card.png", views.person_card, name="person-card"),
    path("videos/", views.video_list, name="videos"),
    path("videos/<slug:slug>.md", views.video_markdown, name="video-markdown"),
    path("videos/<slug:slug>.apkg", views.video_deck, name="video-anki"),
    path("videos/<slug:slug>/", views.video_detail, name="video"),
    path("videos/<slug:slug>/transcript/", views.transcript, name="transcript"),
    path("videos/<slug:slug>/card.png", views.video_card, name="video-card"),
    path("search/", views.search, name="search"),
    path("daily/", views.daily_lesson, name="daily"),
    path("feeds/lessons/", LessonsFeed(), name="lessons-feed"),
    path("feeds/insights/", InsightsFeed(), name="insights-feed"),
    path("feeds/daily/", DailyFeed(), name="daily-feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
]
