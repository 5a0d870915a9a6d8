"""Curation in Django admin (see docs/editing.md). Importing registers everything."""

from kb.admin import models  # noqa: F401
