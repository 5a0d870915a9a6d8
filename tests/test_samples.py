"""`make run`'s samples (issue 39): a fresh install shows what a curated site looks like,
quotes and insights included, not empty pages."""

import io

import pytest
from django.core.management import call_command

from kb.models import Insight, InsightProposal, Lesson, Quote, QuoteSuggestion

pytestmark = pytest.mark.django_db


def test_curated_samples_arrive_with_published_quotes_and_insights(client):
    out = io.StringIO()
    call_command("load_samples", "--curated", stdout=out)
    lessons = Lesson.objects.published().count()
    quotes, insights = Quote.objects.published(), Insight.objects.published()
    # Each lesson with a suggested quote has its best one, as an editor's first pass.
    assert quotes.count() == QuoteSuggestion.objects.filter(status="accepted").count()
    assert quotes.count() >= lessons // 2
    assert insights.count() == InsightProposal.objects.filter(status="accepted").count() >= 2
    assert f"samples: {quotes.count()} quotes and {insights.count()} insights" in out.getvalue()
    insight = insights.first()
    assert client.get("/quotes/").content.decode().count('<figure class="quote"') >= 10
    assert insight.get_absolute_url() in client.get("/insights/").content.decode()
    assert client.get(insight.get_absolute_url()).status_code == 200


def test_plain_samples_leave_every_suggestion_to_an_editor(samples_loaded):
    # As `load_samples` left them (conftest.sample_rows: the command, run once).
    assert Lesson.objects.exists()
    assert not Quote.objects.exists() and not Insight.objects.exists()
    assert InsightProposal.objects.filter(status="open").exists()
