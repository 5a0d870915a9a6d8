from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models import signals
from django.db.models.signals import post_delete, pre_save


class KbConfig(AppConfig):
    default = True  # the app's own; EditorAdminConfig below is the admin's
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb import card_tasks, checks  # noqa: F401 - checks registers them
        from kb.importers import derived
        from kb.insights import lesson_left_proposal
        from kb.models import Evidence, Insight, ProposedLesson
        from kb.text import clean_model_text

        pre_save.connect(clean_model_text, dispatch_uid="kb.text.clean_model_text")
        post_delete.connect(
            lesson_left_proposal, sender=ProposedLesson, dispatch_uid="kb.insights.mend"
        )
        # What is derived from the words (keywords, meaning vectors, chapters' texts)
        # follows every save, from any path.
        for signal, model, receiver in derived.RECEIVERS:
            getattr(signals, signal).connect(
                receiver, sender=model, dispatch_uid=f"kb.derived.{signal}.{model.__name__}"
            )
        # The share cards an edit changed (a lesson's, its video's, its people's, its
        # themes', an insight's) are drawn by a task, not by their first reader.
        if card_tasks.after_edit not in derived.AFTER_EDIT:
            derived.AFTER_EDIT.append(card_tasks.after_edit)
        for signal, model in (
            ("post_save", Insight),
            ("post_save", Evidence),
            ("post_delete", Evidence),
        ):
            getattr(signals, signal).connect(
                card_tasks.insight_changed,
                sender=model,
                dispatch_uid=f"kb.card_tasks.{signal}.{model.__name__}",
            )


class EditorAdminConfig(admin_apps.AdminConfig):
    """Django's admin, its default site the editors' (a start page that says what is
    waiting): in INSTALLED_APPS in place of django.contrib.admin."""

    default = False
    default_site = "kb.admin_site.EditorSite"
