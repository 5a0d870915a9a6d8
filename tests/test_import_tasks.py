"""What an import leaves for a task worker once it has committed (kb/importers/tasks.py)."""

import pytest

from kb.importers.pipeline import import_document
from kb.models import InsightProposal
from tests.helpers import ROOT

SAMPLES = ROOT / "samples"


@pytest.mark.django_db
def test_an_import_proposes_insights_in_a_task_once_it_has_committed(
    django_capture_on_commit_callbacks,
):
    for name in ("promoted-twice.txt", "ic-or-manager.txt", "calm-on-call.txt"):
        import_document(name, (SAMPLES / name).read_bytes(), tidy=False)
    with django_capture_on_commit_callbacks() as after_commit:
        import_document("startup-on-call.txt", (SAMPLES / "startup-on-call.txt").read_bytes())
    # The import itself compared nothing with the rest of the base.
    assert not InsightProposal.objects.exists()
    for callback in after_commit:
        callback()  # the tasks, queued: here run at once (tests run tasks inline)
    assert InsightProposal.objects.exists()
