"""``derive grade --executor dask``: a real LocalCluster on loopback with 2 worker processes
gives byte-identical results.json files to the local executor (no timings in them; seeds
come from the content hash)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derive.cli import main

distributed = pytest.importorskip("distributed", reason="needs dask.distributed (pip install 'derive[cluster]')")

FIX = Path(__file__).parent / "fixtures" / "grade"
SLICE = ("s02", "s04", "s07", "s13", "s18", "s22")


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("results.json"))}


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_results_are_byte_identical_to_local(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in SLICE:
        shutil.copy(FIX / "class" / f"{name}.md", subs / f"{name}.md")
    args = ["--reference", str(FIX / "reference.md"), "--rubric", str(FIX / "rubric.toml"), "--quiet",
            "--format", "gradescope", "--format", "prairielearn"]
    assert main(["grade", str(subs), "-o", str(tmp_path / "local"), "--jobs", "2", *args]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code = main(["grade", str(subs), "-o", str(tmp_path / "dask"), "--executor", "dask",
                     "--scheduler", cluster.scheduler_address, *args])
    assert code == 0
    local, remote = _files(tmp_path / "local"), _files(tmp_path / "dask")
    assert len(local) == 2 * len(SLICE)
    assert local == remote
