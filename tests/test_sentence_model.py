"""The sentence model imports read paraphrase with (kb/sentence_model.py), and
what happens where it is not installed."""

import numpy as np
import pytest
from django.core import checks

from kb import sentence_model
from kb.importers.store.themer import Themer


@pytest.mark.parametrize(
    "title, text, right",
    [
        # Said without one of the theme's cue words: the search's static model applies
        # nothing to the first, and "incidents & on-call" to the second.
        ("When the pager goes off at three in the morning",
         "Stay calm, write down what you see as it happens, and get a second pair of hands "
         "before you touch production.", "incidents & on-call"),
        ("Don't spin your wheels for days",
         "If you have been stuck for an hour, go to a teammate; nobody expects you to know "
         "everything on day one.", "asking for help"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_a_paraphrased_lesson_is_filed_under_what_it_means(title, text, right):
    assert Themer().choose(title, text).names == [right]


def test_absurd_text_is_embedded_in_bounded_time_as_a_unit_vector():
    texts = ["x" * 100_000, "\x00\x07 control \x1b[31m characters", "", "Ask early."]
    vectors = sentence_model.embed(texts)
    assert vectors.shape == (4, sentence_model.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors[[0, 1, 3]], axis=1), 1.0, atol=1e-3)
    # The same text gives the same vector, whether it was embedded before or not.
    assert np.allclose(sentence_model.embed(["Ask early."])[0], vectors[3], atol=1e-3)


def _sentence_model_warnings():
    return [m for m in checks.run_checks() if m.id == "kb.W002"]


def test_manage_py_check_says_when_the_sentence_model_is_missing(monkeypatch):
    assert _sentence_model_warnings() == []
    monkeypatch.setattr(sentence_model, "available", lambda: False)
    (warning,) = _sentence_model_warnings()
    assert "make install" in warning.hint


@pytest.mark.django_db
def test_without_the_sentence_model_themes_come_from_the_static_model(monkeypatch):
    monkeypatch.setattr(sentence_model, "available", lambda: False)
    chosen = Themer().choose(
        "Walk away at six", "I stopped answering email at night and my work got better."
    )
    assert chosen.names == ["work-life balance"]
    monkeypatch.setattr(
        sentence_model, "embed", lambda texts: pytest.fail("the sentence model was used")
    )
    Themer().choose("Anything", "at all")
