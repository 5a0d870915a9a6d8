"""Admin form pieces: times typed as 52:45, lists edited one per line."""

import csv

from django import forms
from django.core.exceptions import ValidationError

from kb.importers.youtube import parse_youtube_id
from kb.models import Chapter, Evidence, Lesson, Person, Quote, Takeaway, Theme, Video
from kb.timecodes import format_timecode, parse_timecode


class MomentInput(forms.TextInput):
    """Shows seconds as 52:45 or 1:12:02."""

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, int | float):
            return format_timecode(value)
        return value


class MomentField(forms.Field):
    """A moment typed as `52:45`, `1:12:02` or plain seconds; cleaned to seconds."""

    widget = MomentInput(attrs={"placeholder": "52:45", "size": 9})

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip()
        try:
            return (
                float(text) if text.replace(".", "", 1).isdigit() else float(parse_timecode(text))
            )
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def has_changed(self, initial, data):
        """Changed only when the editor typed another moment than the one shown: the form
        shows whole seconds, so 104.571 s shows as 1:44, and 1:44 sent back unchanged is
        not a change (MomentsKept then keeps the exact time)."""
        if self.disabled:
            return False
        shown = self.widget.format_value(initial)
        try:
            return self.to_python(data) != self.to_python(shown)
        except ValidationError:
            return True


class MomentsKept:
    """A form mixin: a moment the editor left as shown keeps its exact stored time, not the
    whole seconds the form shows (and a quote's new words are then re-timed, as nobody set
    its times)."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, MomentField) and name in cleaned and name not in self.changed_data:
                initial = self.get_initial_for_field(field, name)
                if initial not in (None, ""):
                    cleaned[name] = initial
        return cleaned


def check_within(seconds, video: Video | None, field: str):
    """A moment past the end of its video can't be right."""
    if seconds is not None and video is not None and seconds > video.duration_seconds:
        raise ValidationError(
            {
                field: f"{format_timecode(seconds)} is past the end of the video "
                f"({format_timecode(video.duration_seconds)})."
            }
        )


def parse_themes(text: str) -> list[str]:
    """Theme names typed as a list separated by commas (or lines): a name keeps its spaces,
    so "asking for help" is one theme, not three (taggit's own parsing splits on spaces
    when there is no comma). A name with a comma is typed in double quotes. The
    TAGGIT_TAGS_FROM_STRING setting makes this taggit's parser."""
    try:
        fields = next(csv.reader([text.replace("\n", ",")], skipinitialspace=True), [])
    except csv.Error as exc:
        raise ValueError(str(exc)) from None
    names, seen = [], set()
    for field in fields:
        name = " ".join(field.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return sorted(names)


def themes_string(themes) -> str:
    """The themes as `parse_themes` reads them back (TAGGIT_STRING_FROM_TAGS)."""
    names = sorted(theme.name for theme in themes)
    return ", ".join(
        '"' + name.replace('"', '""') + '"' if "," in name or '"' in name else name
        for name in names
    )


class LessonForm(MomentsKept, forms.ModelForm):
    start_seconds = MomentField(label="Moment", required=False)

    class Meta:
        model = Lesson
        fields = ["video", "title", "slug", "status", "chapter", "start_seconds", "body", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        video_id = self.instance.video_id or self.data.get("video") or self.initial.get("video")
        if "chapter" in self.fields and video_id:
            # Only the lesson's own video's chapters make sense.
            self.fields["chapter"].queryset = Chapter.objects.filter(video_id=video_id)

    def clean(self):
        cleaned = super().clean()
        video, chapter = cleaned.get("video"), cleaned.get("chapter")
        if chapter is not None and video is not None and chapter.video_id != video.pk:
            raise ValidationError({"chapter": "That chapter belongs to another video."})
        check_within(cleaned.get("start_seconds"), video, "start_seconds")
        return cleaned


class TakeawayForm(MomentsKept, forms.ModelForm):
    start_seconds = MomentField(label="Moment", required=False)

    class Meta:
        model = Takeaway
        fields = ["position", "text", "start_seconds", "confirmed"]
        # Sized for a row of the lesson's page: the admin's defaults overflow 1280 px.
        widgets = {
            "position": forms.NumberInput(attrs={"style": "width: 3.5em"}),
            "text": forms.Textarea(attrs={"rows": 2, "cols": 50}),
        }

    def clean(self):
        cleaned = super().clean()
        lesson = getattr(self.instance, "lesson", None) if self.instance.lesson_id else None
        check_within(
            cleaned.get("start_seconds"), lesson.video if lesson else None, "start_seconds"
        )
        return cleaned


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["position", "stance", "lesson", "quote", "note"]
        # Sized for a row of the insight's page: the admin's defaults overflow 1280 px.
        widgets = {
            "position": forms.NumberInput(attrs={"style": "width: 3.5em"}),
            "note": forms.TextInput(attrs={"size": 24}),
        }


class QuoteForm(MomentsKept, forms.ModelForm):
    start_seconds = MomentField(label="Starts")
    end_seconds = MomentField(label="Ends")

    class Meta:
        model = Quote
        fields = [
            "video",
            "lesson",
            "chapter",
            "text",
            "speaker",
            "speaker_name",
            "start_seconds",
            "end_seconds",
            "status",
            "tags",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False  # so an empty quote gets clean_text's message
        video_id = self.instance.video_id or self.data.get("video") or self.initial.get("video")
        if video_id:
            if "chapter" in self.fields:
                self.fields["chapter"].queryset = Chapter.objects.filter(video_id=video_id)
            if "lesson" in self.fields:
                self.fields["lesson"].queryset = Lesson.objects.filter(video_id=video_id)

    def clean_text(self):
        text = " ".join(self.cleaned_data.get("text", "").split())
        if not text:
            raise ValidationError("A quote needs its words.")
        return text

    def clean(self):
        cleaned = super().clean()
        video = cleaned.get("video")
        for name in ("chapter", "lesson"):
            related = cleaned.get(name)
            if related is not None and video is not None and related.video_id != video.pk:
                raise ValidationError({name: f"That {name} belongs to another video."})
        start, end = cleaned.get("start_seconds"), cleaned.get("end_seconds")
        if start is not None and end is not None and end < start:
            raise ValidationError({"end_seconds": "A quote can't end before it starts."})
        check_within(end, video, "end_seconds")
        return cleaned


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "slug", "description", "cues"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Theme.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if clash:
            raise ValidationError(f"There is already a theme “{clash.name}” (themes ignore case).")
        return name


class LinesField(forms.CharField):
    """A list of short texts (a video's resources) edited one per line, not as JSON."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def whole_seconds(value, field: str):
    if value is not None and value != int(value):
        raise ValidationError({field: "Use whole seconds here (like 52:45)."})
    return None if value is None else int(value)


class VideoForm(forms.ModelForm):
    duration_seconds = MomentField(label="Length", help_text="Like 1:57:16.")
    resources = LinesField(required=False, help_text="One per line: books, links, tools.")

    class Meta:
        model = Video
        fields = [
            "title",
            "slug",
            "status",
            "channel",
            "published_on",
            "duration_seconds",
            "youtube_id",
            "headline",
            "intro",
            "conclusion",
            "resources",
        ]

    def clean_duration_seconds(self):
        return whole_seconds(self.cleaned_data.get("duration_seconds"), "duration_seconds")

    def clean_youtube_id(self):
        value = self.cleaned_data.get("youtube_id", "").strip()
        if not value:
            return ""
        try:
            return parse_youtube_id(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ChapterForm(forms.ModelForm):
    start_seconds = MomentField(label="Starts")

    class Meta:
        model = Chapter
        fields = ["start_seconds", "title"]

    def clean(self):
        cleaned = super().clean()
        start = whole_seconds(cleaned.get("start_seconds"), "start_seconds")
        video = cleaned.get("video") or (self.instance.video if self.instance.video_id else None)
        check_within(start, video, "start_seconds")
        cleaned["start_seconds"] = start
        return cleaned


class PersonForm(forms.ModelForm):
    # A link typed without its scheme ("example.org") is taken as https.
    link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Person
        fields = ["name", "slug", "bio", "link"]
