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
