"""Which model would rank the answer to a reader's question first? The 32 reader questions
of bench/real/questions.toml against the 22 gold lessons (our words) of bench/real/gold.toml,
each lesson scored by one model alone, no database, no floors: an upper bound for the
site's meaning search (issue 39), and the case for or against a model on the query path.

    .venv/bin/python bench/real/question_models.py

Models: WordLlama (kb.search.meaning, what search embeds queries with) and the import's
sentence model (kb.sentence_model, MiniLM-L6 int8). Lesson texts: title and
body, or title, body and takeaways (what search stores); "+ best piece" adds the
similarity of the closest of title, body and each takeaway. Both halves printed.
"""

import os
import sys
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")


def main() -> None:
    import django

    django.setup()
    from kb import sentence_model
    from kb.search import meaning

    gold = tomllib.loads((HERE / "gold.toml").read_text(encoding="utf-8"))
    questions = tomllib.loads((HERE / "questions.toml").read_text(encoding="utf-8"))["question"]
    half_of = {episode: half for half, eps in gold["halves"].items() for episode in eps}
    lessons = gold["lesson"]
    ids = [lesson["id"] for lesson in lessons]
    episode_of = {lesson["id"]: lesson["episode"] for lesson in lessons}
    print("| model | lesson text | score | half | answer first | in the first 3 | MRR |")
    print("|---|---|---|---|---|---|---|")
    for model_name, embed in (("WordLlama", meaning.embed), ("MiniLM", sentence_model.embed)):
        pieces = [
            embed([lesson["title"], lesson["body"], *(t["text"] for t in lesson["takeaways"])])
            for lesson in lessons
        ]
        for text_name, texts in (
            ("title, body", [f"{x['title']}. {x['body']}" for x in lessons]),
            ("title, body, takeaways",
             [f"{x['title']}. {x['body']} " + " ".join(t["text"] for t in x["takeaways"])
              for x in lessons]),
        ):  # fmt: skip
            whole = embed(texts)
            for score_name in ("whole", "whole + best piece"):
                ranks: dict[str, list[int]] = {"held": [], "tune": []}
                for question in questions:
                    query = embed([question["text"]])[0]
                    score = whole @ query
                    if score_name != "whole":
                        score = score + np.array([float((p @ query).max()) for p in pieces])
                    order = [ids[i] for i in np.argsort(-score)]
                    half = half_of[episode_of[question["answer"]]]
                    ranks[half].append(order.index(question["answer"]) + 1)
                for half in ("held", "tune"):
                    got = ranks[half]
                    first = sum(r == 1 for r in got)
                    top3 = sum(r <= 3 for r in got)
                    mrr = float(np.mean([1 / r for r in got]))
                    print(
                        f"| {model_name} | {text_name} | {score_name} | {half} | "
                        f"{first}/{len(got)} | {top3}/{len(got)} | {mrr:.2f} |"
                    )


if __name__ == "__main__":
    main()
