from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/<str:slug>/", views.theme_detail, name="theme"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("videos/<slug:slug>/", views.video_detail, name="video"),
    path("videos/<slug:slug>/transcript/", views.transcript, name="transcript"),
    path("healthz", views.healthz, name="healthz"),
]
