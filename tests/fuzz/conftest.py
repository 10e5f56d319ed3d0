"""Hypothesis profiles for the fuzz tests, and rate limits off for them.

`fuzz` (the default) is small enough for every test run; CI or a person hunting a bug sets
`HYPOTHESIS_PROFILE=fuzz-long` for many more examples. Both are derandomized and keep no example
database, so a run is reproducible; the cache Hypothesis keeps anyway (constants read from the
code) goes to the temporary directory, never into the checkout, unless
`HYPOTHESIS_STORAGE_DIRECTORY` names a place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "tip-portal-hypothesis")

_COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("fuzz", max_examples=25, **_COMMON)
settings.register_profile("fuzz-long", max_examples=2_000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz"))


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Every generated request is judged on its content, never on how many came before."""
    settings.TIP_RATE_SUBMISSIONS = 0
    settings.TIP_RATE_FOLLOW_UPS = 0
    return settings
