"""A starting vocabulary of career themes, with the cue words that suggest them.

Editors own these from here on: they can rename, merge or delete them in the admin,
and change their descriptions and cues. Reversing the migration removes only themes
that are still unused.
"""

from django.db import migrations

THEMES = [
    ("interviewing", "Preparing for and getting through job interviews.",
     ["interview", "interviewing", "leetcode", "coding interview", "mock interview", "onsite",
      "offer", "resume", "hiring", "competitive programming"]),
    ("first team", "Choosing a team and a role, especially the first one.",
     ["first team", "pick a team", "picking a team", "choose a team", "choosing a team",
      "team culture", "boot camp", "bootcamp", "team matching", "right team"]),
    ("promotion", "Getting promoted: levels, packets, calibration.",
     ["promo", "promoted", "promotion", "promotion packet", "staff engineer", "senior engineer",
      "calibration", "next level", "performance review"]),
    ("leadership", "Leading people and projects, with or without the title.",
     ["leader", "leadership", "tech lead", "lead a", "roadmap", "delegate", "delegation",
      "ownership", "step into"]),
    ("influence", "Earning trust and getting things done without authority.",
     ["influence", "trust", "credibility", "without authority", "buy-in", "persuade",
      "alignment", "integrity"]),
    ("impact", "Choosing work that matters and making it visible.",
     ["impact", "high-impact", "impactful", "business value", "visibility", "highest-impact",
      "outcome"]),
    ("management vs IC", "The manager track, the individual-contributor track, and switching.",
     ["manager", "management", "individual contributor", "IC", "people problems",
      "one-on-ones", "managerial"]),
    ("startups", "Joining, founding and surviving startups.",
     ["startup", "startups", "founder", "co-founder", "founding", "early-stage", "equity",
      "big tech", "pivot"]),
    ("learning", "Learning deeply and continuously: curiosity, fundamentals, side projects.",
     ["learn", "learning", "curious", "curiosity", "deep understanding", "understand the systems",
      "side project", "side projects", "fundamentals", "inquisitive", "breadth", "depth"]),
    ("shipping fast", "Delivering quickly: workflow, tools, small changes.",
     ["ship", "shipping", "fast", "workflow", "tooling", "code search", "velocity",
      "productivity", "small changes", "feature flag", "deliver"]),
    ("work-life balance", "Hours, rest and a life outside work.",
     ["work-life", "balance work", "work with life", "hours", "burnout", "rest", "weekend", "snowboarding",
      "personal life", "go home on time", "marathon"]),
    ("relationships", "Friends, colleagues and the network around a career.",
     ["relationships", "friendships", "friends", "network", "collaborate", "collaboration",
      "peers", "soft skills"]),
    ("mentoring", "Helping others grow, and being helped: mentors, onboarding, reviews.",
     ["mentor", "mentoring", "mentorship", "onboard", "onboarding", "teach", "teaching",
      "code review", "helping others", "help others"]),
    ("career advice", "Advice looking back: regrets, and what to tell new grads.",
     ["regret", "advice", "new grads", "past self", "younger self", "career growth",
      "look back", "aspiring"]),
    ("asking for help", "Knowing when and how to ask.",
     ["ask for help", "asking for help", "help-seeking", "ask questions", "stuck", "unblock"]),
    ("resilience", "Struggling, failing and keeping going.",
     ["struggle", "struggling", "struggles", "impostor", "imposter", "confidence", "resilient",
      "resilience", "failure", "failed", "prodigy", "keep pushing"]),
    ("career switch", "Moving into engineering from another field.",
     ["career switch", "switching careers", "career switchers", "self-taught", "without a degree",
      "cs degree", "previous career", "support desk"]),
    ("incidents & on-call", "Outages, on-call rotations and staying calm under pressure.",
     ["on-call", "incident", "incidents", "outage", "postmortem", "incident review", "rollback",
      "runbook"]),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("kb", "Theme")
    for name, description, cues in THEMES:
        slug = name.replace(" & ", "-").replace(" ", "-").lower()
        theme = Theme.objects.filter(name__iexact=name).first()
        if theme is None:
            Theme.objects.create(name=name, slug=slug, description=description, cues=cues)


def remove_unused_themes(apps, schema_editor):
    Theme = apps.get_model("kb", "Theme")
    names = [name for name, _, _ in THEMES]
    Theme.objects.filter(
        name__in=names, lesson_items__isnull=True, quote_items__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_evidence")]

    operations = [migrations.RunPython(add_themes, remove_unused_themes)]
