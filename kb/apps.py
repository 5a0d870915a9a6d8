from django.apps import AppConfig
from django.db.models.signals import pre_save


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb.text import clean_model_text

        pre_save.connect(clean_model_text, dispatch_uid="kb.text.clean_model_text")
