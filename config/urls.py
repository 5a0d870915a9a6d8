from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kb.api import api

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kb.urls")),
]

handler404 = "kb.views.meta.page_not_found"
handler500 = "kb.views.meta.server_error"
