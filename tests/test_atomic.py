import pytest

from derive import atomic


def test_failed_stage_leaves_previous_outputs(tmp_path):
    (tmp_path / "report.tex").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.staged_directory(tmp_path) as stage:
            (stage / "report.tex").write_text("new, half written")
            raise RuntimeError("interrupted")
    assert (tmp_path / "report.tex").read_text() == "old"
    assert not any(p.name.startswith(".derive-stage") for p in tmp_path.iterdir())


def test_write_text_replaces_atomically(tmp_path):
    target = tmp_path / "a.txt"
    atomic.write_text(target, "one")
    atomic.write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
