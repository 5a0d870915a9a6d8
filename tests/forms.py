"""Submit an admin page's form as a browser would: every field with the value it shows."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self.data.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str) -> dict:
    """The fields of `<form id=form_id>` as a dict (a field given twice keeps a list)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data: dict = {}
    for name, value in reader.data:
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    return data


def lesson_form(lesson, **changes) -> dict:
    """A lesson's admin form as typed by hand (its moment at 52:45, no themes, no inline
    rows), with `changes`: for posting without reading the page first."""
    data = {
        "video": lesson.video_id,
        "title": lesson.title,
        "slug": lesson.slug,
        "status": lesson.status,
        "chapter": lesson.chapter_id or "",
        "start_seconds": "52:45",
        "body": lesson.body,
        "tags": "",
        "takeaways-TOTAL_FORMS": "0",
        "takeaways-INITIAL_FORMS": "0",
        "suggestions-TOTAL_FORMS": "0",
        "suggestions-INITIAL_FORMS": "0",
        "theme_suggestions-TOTAL_FORMS": "0",
        "theme_suggestions-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data
