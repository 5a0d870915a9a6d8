from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = SEEDS / "deep-summary-staff-eng-at-meta.txt"


@pytest.fixture
def seed_path():
    """The real summary page in ../shared (not part of this repository)."""
    if not SEED.exists():
        pytest.skip(f"the seed page is not here ({SEED}); it lives in ../shared/seeds")
    return SEED


@pytest.fixture(autouse=True)
def empty_cache():
    """Tests roll the database back, content versions included: start each with no pages."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
