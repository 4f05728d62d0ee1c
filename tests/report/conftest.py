import pytest

from hiplevel.report.chromium import find_chromium


@pytest.fixture
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium not installed (make test installs it as root via tools/ensure-test-tools)")
    return exe
