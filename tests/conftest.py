import os
import tempfile

import pytest

# Generated modules and certificates go to a per-session cache, never the user's.
os.environ.setdefault("DERIVE_CACHE", tempfile.mkdtemp(prefix="derive-test-cache-"))


@pytest.fixture(scope="session")
def ssm():
    from derive import get

    return get("ssm-kernel")


@pytest.fixture(scope="session")
def ssm_derivation(ssm):
    return ssm.derivation()
