"""Browser tests: fixtures live in tests/browser.py (one Playwright per process for the whole suite)."""

from tests.browser import (  # noqa: F401 - helpers the e2e tests import from here
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    assert_no_exception,
    shot,
    sign_in,
    wait_idle,
)
