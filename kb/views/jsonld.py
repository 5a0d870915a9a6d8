"""schema.org JSON-LD for person and video pages, safe inside a <script> element."""

import json


def person_json_ld(request, person) -> str:
    """schema.org Person, as search engines read it (escaped for a <script> element)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": person.name,
        "url": request.build_absolute_uri(person.get_absolute_url()),
    }
    if person.bio:
        data["description"] = person.bio
    if person.link:
        data["sameAs"] = [person.link]
    return json_for_script(data)


def json_for_script(data) -> str:
    """JSON safe inside <script>: no `</script>` or `<!--` can close or open anything."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def video_json_ld(request, video, credits) -> str:
    """schema.org VideoObject: the video, its length, where to watch it, who is in it."""
    data = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": video.title,
        "description": video.headline or video.title,
        "url": request.build_absolute_uri(video.get_absolute_url()),
        "duration": f"PT{video.duration_seconds}S",
    }
    if video.published_on:
        data["uploadDate"] = video.published_on.isoformat()
    if video.youtube_id:
        data["embedUrl"] = f"https://www.youtube.com/embed/{video.youtube_id}"
        data["thumbnailUrl"] = f"https://i.ytimg.com/vi/{video.youtube_id}/hqdefault.jpg"
    people = [
        {"@type": "Person", "name": c.person.name,
         "url": request.build_absolute_uri(c.person.get_absolute_url())}
        for c in credits
    ]  # fmt: skip
    if people:
        data["actor"] = people
    return json_for_script(data)
