"""The "Editors" group: exactly what curation needs, and no user or group management."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "kb": {
        "video": ["add", "change", "delete", "view"],
        "chapter": ["add", "change", "delete", "view"],
        "transcriptsegment": ["view"],
        "lesson": ["add", "change", "delete", "view"],
        "takeaway": ["add", "change", "delete", "view"],
        "quote": ["add", "change", "delete", "view"],
        "quotesuggestion": ["change", "view"],
        "theme": ["add", "change", "delete", "view"],
        "themeredirect": ["add", "change", "delete", "view"],
    },
}


def editor_codenames() -> list[str]:
    return [
        f"{action}_{model}"
        for models in EDITOR_PERMISSIONS.values()
        for model, actions in models.items()
        for action in actions
    ]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="kb", codename__in=editor_codenames())
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0007_theme_redirects"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
