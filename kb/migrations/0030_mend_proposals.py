"""Mend the insight proposals whose lessons were deleted before proposals were mended on
every deletion (issue 36): each is known again by the lessons it still has, one left with
fewer than two videos' lessons is removed, and of two with the same lessons the more
decided one stays. A backup of such a base could not be restored."""

from django.db import migrations

from kb.insights import mend_proposals


def mend(apps, schema_editor):
    proposals = apps.get_model("kb", "InsightProposal")
    members = apps.get_model("kb", "ProposedLesson")
    mend_proposals(
        list(proposals.objects.values_list("pk", flat=True)), proposals=proposals, members=members
    )


class Migration(migrations.Migration):
    dependencies = [("kb", "0029_clean_control_characters")]

    operations = [migrations.RunPython(mend, migrations.RunPython.noop)]
