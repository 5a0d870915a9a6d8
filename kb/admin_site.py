"""The editors' admin site: Django's, with a start page that says what is waiting
(kb.admin.start). Made the default site by kb.apps.EditorAdminConfig, so `admin.site` and
`@admin.register` are this site everywhere.

Outside the kb.admin package: the site is made while the admin discovers the apps'
admin modules, and importing kb.admin then would register ours before taggit's."""

from django.contrib import admin


class EditorSite(admin.AdminSite):
    site_header = "Career lessons: editing"
    site_title = "Career lessons"
    index_title = "What is waiting"
    index_template = "admin/kb/start.html"

    def index(self, request, extra_context=None):
        from kb.admin.start import start_page

        return super().index(request, {**start_page(self, request), **(extra_context or {})})
