"""What the "Editors" group may do: curate everything, manage no users or groups.

Migration 0008 made the group with the permissions of its day; later migrations grant
what new models need (`grant`). Tests build the group from EDITOR_PERMISSIONS.
"""

from django.contrib.auth.management import create_permissions

EDITOR_PERMISSIONS = {
    "video": ["add", "change", "delete", "view"],
    "chapter": ["add", "change", "delete", "view"],
    "transcriptsegment": ["view"],
    "lesson": ["add", "change", "delete", "view"],
    "takeaway": ["add", "change", "delete", "view"],
    "quote": ["add", "change", "delete", "view"],
    "quotesuggestion": ["change", "view"],
    "themesuggestion": ["change", "view"],
    "theme": ["add", "change", "delete", "view"],
    "themeredirect": ["add", "change", "delete", "view"],
    "person": ["add", "change", "delete", "view"],
    "personredirect": ["add", "change", "delete", "view"],
    "credit": ["add", "change", "delete", "view"],
    "insight": ["add", "change", "delete", "view"],
    "evidence": ["add", "change", "delete", "view"],
    "insightproposal": ["change", "view"],
    "proposedlesson": ["view"],
}


def editor_codenames(models=None) -> list[str]:
    return [
        f"{action}_{model}"
        for model, actions in EDITOR_PERMISSIONS.items()
        if models is None or model in models
        for action in actions
    ]


def grant(*models: str):
    """A migration step giving the Editors group its permissions on `models`."""

    def forwards(apps, schema_editor):
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        group, _ = Group.objects.get_or_create(name="Editors")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="kb", codename__in=editor_codenames(models)
            )
        )

    return forwards
