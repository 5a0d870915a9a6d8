"""Curation in Django admin (see README, "Editing"). Importing registers everything."""

from kb.admin import models  # noqa: F401
