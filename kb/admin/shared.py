"""What the ModelAdmins share: autocompletes that survive a bad id, the status
actions, the themes picker, the merge action that keeps old addresses, and small
column helpers."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.db.models.functions import Lower
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from kb.models import Status, Theme
from kb.timecodes import format_timecode


def _real_pks(values) -> list:
    return [v for v in values if str(v).isdigit()]


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget queries the value it redraws: a forged one ("x")
    would be a server error instead of the form's own "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_pks(value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_pks(value), attr)


class SafeAutocomplete:
    """Autocomplete fields drawn with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ThemesChoiceField(forms.ModelMultipleChoiceField):
    """Themes by id; an empty value is no theme (as the typed field took it), not an error."""

    def clean(self, value):
        return super().clean([v for v in value or [] if v != ""])


class ThemesPicked:
    """A lesson's and a quote's themes picked as an insight's are (its autocomplete_fields):
    found by name as you type among the themes there are, shown as one chip each, with +
    to add a new theme (its description and cues with it, which the importer's theming
    reads). One widget for one idea on every form; a typed list made a new theme of
    every typo."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if not isinstance(db_field, TaggableManager):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        themes = self.admin_site.get_model_admin(Theme)
        widget = RelatedFieldWidgetWrapper(
            SafeAutocompleteSelectMultiple(db_field, self.admin_site),
            db_field.remote_field,
            self.admin_site,
            can_add_related=themes.has_add_permission(request),
        )
        return ThemesChoiceField(
            Theme.objects.alphabetical(), required=False, widget=widget, label="Themes"
        )


def set_status(model_admin, request, queryset, status, verb) -> int:
    """Give each object of `queryset` that lacks it `status`, logged in its history."""
    changed = 0
    for obj in queryset.exclude(status=status):
        obj.status = status
        obj.save(update_fields=["status", "updated_at"])
        model_admin.log_change(request, obj, f"{verb} (bulk action)")
        changed += 1
    return changed


def frozen(queryset):
    """The selected objects, fixed before an action changes them: the changelist's filter
    may be on what the action changes (the Draft filter while publishing), and the lazy
    queryset would then select none of them afterwards."""
    return queryset.model.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))


class StatusActions:
    """Publish / unpublish in bulk, each change logged in the objects' history."""

    actions = ["publish", "unpublish"]

    def _set_status(self, request, queryset, status, verb):
        queryset = frozen(queryset)
        changed = set_status(self, request, queryset, status, verb)
        self.message_user(request, f"{verb} {changed} of {queryset.count()} selected.")
        if status == Status.PUBLISHED and any(f.name == "video" for f in self.model._meta.fields):
            hidden = queryset.exclude(video__status=Status.PUBLISHED)
            titles = sorted(set(hidden.values_list("video__title", flat=True)))
            if titles:
                self.message_user(
                    request,
                    f"{len(hidden)} of them stay hidden from readers until their video is "
                    f"published: {', '.join(titles[:5])}{' …' if len(titles) > 5 else ''}.",
                    messages.WARNING,
                )

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(description="Unpublish selected (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "Unpublished")


def moment(seconds):
    return "" if seconds is None else format_timecode(seconds)


def short(text: str, chars: int) -> str:
    """`text` cut to `chars` characters for a list's column, whole on hover."""
    cut = Truncator(text).chars(chars)
    if cut == text:
        return text
    return format_html('<span title="{}">{}</span>', text, cut)


def theme_names(themes, most: int = 3) -> str:
    """A short comma list of themes: the first `most`, then how many more (all on hover)."""
    names = [theme.name for theme in themes]
    if len(names) <= most:
        return ", ".join(names)
    return format_html(
        '<span title="{}">{}, +{}</span>', ", ".join(names), ", ".join(names[:most]),
        len(names) - most,
    )  # fmt: skip


@admin.display(description="video", ordering="video__title")
def video_title(obj):
    """A lesson's or quote's video in a list: its title cut short (whole on hover)."""
    return short(obj.video.title, 32)


def annotation_column(name: str, description: str = ""):
    """A list column showing the queryset's annotation `name`, sortable by it."""

    @admin.display(ordering=name, description=description or name.replace("_", " "))
    def column(model_admin, obj):
        return getattr(obj, name)

    return column


def choice_page(model_admin, request, queryset, title, form, action):
    """The intermediate page of an action that asks one question about the selection."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/kb/choose_theme.html", context)


class KeepsAddresses:
    """A model with a page whose slug outlives renames and merges: a renamed object's
    old slug, and a merged one's, redirect to it (`redirects`: the redirect model)."""

    redirects = None
    merge_form = None
    merge_into = None  # (sources, target) -> what moved

    def save_model(self, request, obj, form, change):
        model = type(obj)
        old_slug = model.objects.filter(pk=obj.pk).values_list("slug", flat=True).first()
        super().save_model(request, obj, form, change)
        if change and old_slug and old_slug != obj.slug:
            self.redirects.objects.update_or_create(
                old_slug=old_slug, defaults={model._meta.model_name: obj}
            )

    @admin.action(description="Merge selected into one", permissions=["change"])
    def merge(self, request, queryset):
        form = self.merge_form(request.POST if "apply" in request.POST else None)
        form.fields["target"].queryset = queryset.order_by(Lower("name"))
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = [obj for obj in queryset if obj.pk != target.pk]
            names = ", ".join(f"“{obj.name}”" for obj in sources)
            moved = self.merge_into(sources, target)
            self.log_change(request, target, f"Merged {names} into this one: {moved}")
            self.message_user(request, f"Merged {names} into “{target.name}”: {moved}.")
            return None
        title = f"Merge {queryset.count()} {self.model._meta.verbose_name_plural}"
        return choice_page(self, request, queryset, title, form, "merge")
