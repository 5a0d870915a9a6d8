"""Curation in Django admin (see docs/editing.md). Importing registers everything.

The admin for each model: lists constant in queries, drafts published in bulk, every
change in the history. One module of ModelAdmins per area (catalogue, lessons, themes,
curation), the pieces they share in `shared`."""

from kb.admin import catalogue, curation, lessons, themes  # noqa: F401
