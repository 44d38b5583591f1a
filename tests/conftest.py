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


@pytest.fixture
def check_text(tmp_path):
    """Check a document written in the test: its statements keyed by their LaTeX (the last one
    wins where a text repeats)."""
    from derive.commands.check import check_paths

    def run(text: str, name: str = "doc.md") -> dict[str, dict]:
        doc = tmp_path / name
        doc.write_text(text)
        return {c["latex"]: c for c in check_paths([str(doc)], seed=0, progress=False)["claims"]}

    return run
