"""Theme descriptions that say what a theme is about in any career, not only in software:
themes are now suggested by what a lesson means (kb.importers.themes), compared with
the theme's name and description. A description an editor has changed stays theirs.
"""

from django.db import migrations

# (name, the description 0004 gave it, the description now)
DESCRIPTIONS = [
    ('interviewing',
     'Preparing for and getting through job interviews.',
     'Preparing for and getting through job interviews: applications, portfolios, practice questions, offers.'),
    ('first team',
     'Choosing a team and a role, especially the first one.',
     'Choosing a team and a role in a new job, especially the first one.'),
    ('promotion',
     'Getting promoted: levels, packets, calibration.',
     'Getting promoted: levels, performance reviews, packets, calibration.'),
    ('leadership',
     'Leading people and projects, with or without the title.',
     'Leading people and projects, with or without the title: ownership, delegation, setting direction.'),
    ('influence',
     'Earning trust and getting things done without authority.',
     'Earning trust and getting people you do not manage to say yes: persuasion, credibility, buy-in.'),
    ('impact',
     'Choosing work that matters and making it visible.',
     'Choosing work that matters and showing what it is worth: outcomes, business value, visibility.'),
    ('management vs IC',
     'The manager track, the individual-contributor track, and switching.',
     'Managing people or doing the work yourself: the manager track, the individual-contributor track, and moving between them.'),
    ('startups',
     'Joining, founding and surviving startups.',
     'Joining, founding and surviving startups and young companies.'),
    ('learning',
     'Learning deeply and continuously: curiosity, fundamentals, side projects.',
     'Learning a field deeply and continuously: curiosity, fundamentals, practice projects, learning from the people who do the work.'),
    ('shipping fast',
     'Delivering quickly: workflow, tools, small changes.',
     'Delivering software quickly: workflow, tools, small changes, feature flags.'),
    ('work-life balance',
     'Hours, rest and a life outside work.',
     'Hours, sleep, rest and a life outside work; avoiding burnout.'),
    ('relationships',
     'Friends, colleagues and the network around a career.',
     'Friends, colleagues and the network around a career.'),
    ('mentoring',
     'Helping others grow, and being helped: mentors, onboarding, reviews.',
     'Helping others grow and being helped: mentors, reviews, onboarding, teaching.'),
    ('career advice',
     'Advice looking back: regrets, and what to tell new grads.',
     'Advice looking back: regrets, and what to tell new grads and your younger self.'),
    ('asking for help',
     'Knowing when and how to ask.',
     'Knowing when and how to ask for help: questions, getting unstuck, not pretending to know.'),
    ('resilience',
     'Struggling, failing and keeping going.',
     'Struggling, failing and keeping going: setbacks, impostor feelings, confidence.'),
    ('career switch',
     'Moving into engineering from another field.',
     'Changing careers: leaving one profession for another, retraining, carrying old skills into a new field.'),
    ('incidents & on-call',
     'Outages, on-call rotations and staying calm under pressure.',
     'Outages, on-call rotations and staying calm under pressure.'),
]  # fmt: skip


def describe(apps, schema_editor, before=1, after=2):
    Theme = apps.get_model("kb", "Theme")
    for row in DESCRIPTIONS:
        Theme.objects.filter(name__iexact=row[0], description=row[before]).update(
            description=row[after]
        )


def undescribe(apps, schema_editor):
    describe(apps, schema_editor, before=2, after=1)


class Migration(migrations.Migration):
    dependencies = [("kb", "0019_theme_suggestions")]

    operations = [migrations.RunPython(describe, undescribe)]
