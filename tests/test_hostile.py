"""Issue 15: hostile input at course scale, one test (or a few) per numbered item handled
outside derive/claims/ (items 1 and 9 are the reader's, issue 12).

Expected values come from the inputs themselves (a planted file, a byte count, a mode
computed from the umask), never from the code under test's output.
"""

from __future__ import annotations

import errno
import json
import mmap
import os
import py_compile
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from derive import atomic
from derive.budget import Budget, default_file_timeout
from derive.check.worker import Timeout, run_bounded
from derive.cli import main as cli_main
from derive.commands.check import check_paths, format_table
from derive.errors import DeriveError
from derive.safe_io import read_text_bounded, walk_files
from derive.terminal import safe_text

ROOT = Path(__file__).resolve().parent
HOSTILE = ROOT / "fixtures" / "hostile"


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting for its reaper (it runs nothing any more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_dead(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if _dead(pid):
            return True
        time.sleep(0.05)
    return _dead(pid)


# --- item 2: budgets, worker limits, bounded reads -------------------------------------------------

def _map_6gb() -> str:
    m = mmap.mmap(-1, 6 << 30)  # address space only: no page is touched
    m.close()
    return "mapped"


def test_worker_address_space_is_limited():
    with pytest.raises(RuntimeError, match="OSError|MemoryError"):
        run_bounded(_map_6gb, timeout=30, memory=1 << 30)


def test_worker_is_killed_with_its_process_group(tmp_path):
    marker = tmp_path / "grandchild.pid"

    def spawn_and_hang() -> None:
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        marker.write_text(str(p.pid))
        time.sleep(120)

    with pytest.raises(Timeout):
        run_bounded(spawn_and_hang, timeout=3)
    pid = int(marker.read_text())
    try:
        assert _wait_dead(pid), "the worker's own child outlived the kill at the limit"
    finally:
        if not _dead(pid):
            os.kill(pid, signal.SIGKILL)


def test_budget_defaults_and_validation():
    assert Budget(claim=10).file == 200  # 20 claims' worth
    assert Budget(claim=60).file == 300  # capped
    assert default_file_timeout(600) == 600  # never below one claim
    for bad in (float("nan"), float("inf"), 0, -1):
        with pytest.raises(DeriveError):
            Budget(claim=bad)
    with pytest.raises(DeriveError):
        Budget(claim=1, run=float("nan"))


def test_file_budget_cuts_and_reports(tmp_path):
    slow = "\n\n".join(f"$$\\sum_{{i=1}}^{{100000}} \\sum_{{j=1}}^{{100000}} i j = {k}$$" for k in range(8))
    (tmp_path / "slow.md").write_text(slow + "\n")
    (tmp_path / "quick.md").write_text("$$a + b = b + a$$\n")
    t0 = time.monotonic()
    report = check_paths([str(tmp_path)], budget=Budget(claim=1, file=2, run=60), progress=False)
    elapsed = time.monotonic() - t0
    cut = {c["file"]: c for c in report["cut"]}
    assert str(tmp_path / "slow.md") in cut
    assert cut[str(tmp_path / "slow.md")]["cause"] == "file budget"
    assert cut[str(tmp_path / "slow.md")]["claims_total"] == 8
    assert all(c["status"] != "refuted" for c in report["claims"])
    assert report["exit_code"] == 3
    assert report["settings"]["budget"] == {"claim": 1.0, "file": 2.0, "run": 60.0}
    # the judge stops at the file's deadline and keeps what it finished (each claim runs into its
    # 1 s limit, so at most two are done within the 2 s budget): the rest are reported as cut
    n_cut = cut[str(tmp_path / "slow.md")]["claims_cut"]
    assert 6 <= n_cut <= 8
    assert f"slow.md: {n_cut} of 8 claims not judged" in format_table(report)
    slow_claims = [c for c in report["claims"] if c["file"].endswith("slow.md")]
    assert len(slow_claims) == 8 and sum(c["reason"].startswith("not judged") for c in slow_claims) == n_cut
    # 8 claims x 1 s would be 8 s; the file budget stops it at 2 s (+ start-up, generous bound)
    assert elapsed < 30


def test_run_budget_cuts_files_not_reached(tmp_path):
    for k in range(3):
        (tmp_path / f"s{k}.md").write_text("$$\\sum_{i=1}^{100000} \\sum_{j=1}^{100000} i j = 1$$\n")
    report = check_paths([str(tmp_path)], budget=Budget(claim=1, file=5, run=1.5), progress=False)
    causes = sorted(c["cause"] for c in report["cut"])
    assert len(report["files"]) == 3
    assert "run budget" in causes
    assert report["exit_code"] == 3


def test_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "sparse.md"
    with open(big, "wb") as fh:
        fh.truncate(8 << 30)  # 8 GB, sparse: reading it whole would take gigabytes of memory
    with pytest.raises(DeriveError, match="too large"):
        read_text_bounded(big, 1000)
    report = check_paths([str(big)], progress=False)
    assert report["errors"] and "too large" in report["errors"][0]["message"]
    small = tmp_path / "ok.md"
    small.write_bytes(b"x" * 1000)
    assert read_text_bounded(small, 1000) == "x" * 1000
    (tmp_path / "nul.md").write_bytes(b"$a=a$\x00")
    with pytest.raises(DeriveError, match="not a text file"):
        read_text_bounded(tmp_path / "nul.md")


def test_fifo_named_on_the_command_line_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(DeriveError, match="not a text file"):
        read_text_bounded(fifo)
    report = check_paths([str(fifo)], progress=False)
    assert "not a text file" in report["errors"][0]["message"]


# --- item 3: terminal safety ------------------------------------------------------------------------

def test_safe_text_escapes_controls():
    assert safe_text("a\x1b[8mb") == "a\\x1b[8mb"
    assert safe_text("t\x1b]0;title\x07") == "t\\x1b]0;title\\x07"
    assert safe_text("x\u202ey") == "x\\u202ey"  # right-to-left override
    assert safe_text("line\nnext") == "line\\x0anext"
    assert safe_text("line\nnext", keep_newlines=True) == "line\nnext"
    assert safe_text("∂f/∂W = 2 A^T") == "∂f/∂W = 2 A^T"


def test_table_progress_and_errors_are_escaped_json_exact(tmp_path, capsys):
    name = tmp_path / "evil\x1b]0;pwned\x07.md"
    name.write_text("$$x\x1b[8m = x$$\n\n$$a + b = b + a$$\n")
    (tmp_path / "empty\x1b[2J.md").write_text("no math here\n")
    code = cli_main(["check", str(tmp_path), "--timeout", "5"])
    out, err = capsys.readouterr()
    assert code == 2  # the file without claims is an input error
    assert "\x1b" not in out and "\x07" not in out
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;pwned\\x07" in err  # the progress line shows the name, escaped
    cli_main(["check", str(name), "--json", "--timeout", "5"])
    report = json.loads(capsys.readouterr().out)
    assert report["claims"][0]["file"] == str(name)
    assert "\x1b[8m" in report["claims"][0]["latex"]


# --- item 4: a cache that checks what it runs ---------------------------------------------------------

def _spec():
    from derive.registry import REGISTRY

    return REGISTRY.get("ssm-kernel").module_spec()


def test_forged_bytecode_is_never_run(tmp_path, monkeypatch):
    from derive.emit import codegen

    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path))
    path = codegen.write_module(_spec(), "numpy")
    real = path.read_bytes()
    st = path.stat()
    # a forged module of exactly the real size, compiled to the .pyc Python would use
    payload = f"import os\nos.environ['DERIVE_FORGED_RAN'] = '1'\n".encode()
    forged_src = tmp_path / "forged.py"
    forged_src.write_bytes(payload + b"#" * (len(real) - len(payload) - 1) + b"\n")
    import importlib.util

    pyc = Path(importlib.util.cache_from_source(str(path)))
    pyc.parent.mkdir(parents=True, exist_ok=True)
    os.utime(forged_src, ns=(st.st_atime_ns, st.st_mtime_ns))
    py_compile.compile(str(forged_src), cfile=str(pyc), dfile=str(path), doraise=True)
    monkeypatch.delenv("DERIVE_FORGED_RAN", raising=False)
    module = codegen.load_module(path)
    assert "DERIVE_FORGED_RAN" not in os.environ
    assert callable(getattr(module, "kernel"))


def test_tampered_module_is_rebuilt_with_one_warning(tmp_path, monkeypatch, capsys):
    from derive.emit import codegen

    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path))
    path = codegen.write_module(_spec(), "numpy")
    good = path.read_text()
    path.write_text(good[: len(good) // 2])  # truncated, as after a disk-full event
    module = codegen.load_module(path)
    assert callable(module.kernel)
    assert path.read_text() == good
    assert capsys.readouterr().err.count("warning") == 1


def test_planted_numba_cache_entry_is_discarded(tmp_path, monkeypatch, capsys):
    from derive.emit import codegen, trusted_cache

    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path))
    path = codegen.write_module(_spec(), "numba")
    planted = path.parent / "__pycache__" / f"{path.stem}.kernel-3.py311.nbi"
    planted.parent.mkdir(exist_ok=True)
    planted.write_bytes(b"\x80\x04cos\nsystem\n(S'echo pwned'\ntR.")  # a pickle that runs a command
    trusted_cache.check_numba_cache(path)
    assert not planted.exists()
    assert "Numba cache" in capsys.readouterr().err
    # an entry recorded in the manifest is kept
    kept = path.parent / "__pycache__" / f"{path.stem}.kernel-9.py311.nbi"
    kept.write_bytes(b"made by numba")
    trusted_cache.seal_numba_cache(path)
    trusted_cache.check_numba_cache(path)
    assert kept.exists()


def test_module_not_rendered_in_this_process_is_refused(tmp_path):
    from derive.emit import codegen

    stray = tmp_path / "stray.py"
    stray.write_text("x = 1\n")
    with pytest.raises(DeriveError, match="not generated in this run"):
        codegen.load_module(stray)


# --- item 5: symlinks and special files in a submissions folder ----------------------------------------

def test_folder_walk_skips_symlinks_and_special_files(tmp_path):
    staff = tmp_path / "staff"
    staff.mkdir()
    (staff / "key.md").write_text("$$secret = 42$$\n")
    sub = tmp_path / "submissions"
    (sub / "alice").mkdir(parents=True)
    (sub / "alice" / "hw.md").write_text("$$a + b = b + a$$\n")
    os.symlink(staff / "key.md", sub / "alice" / "steal.md")
    os.symlink(staff, sub / "bob")
    os.mkfifo(sub / "alice" / "pipe.md")
    walk = walk_files(sub, (".md",))
    assert walk.files == [sub / "alice" / "hw.md"]
    assert {p.name: why for p, why in walk.skipped} == {
        "steal.md": "a symbolic link (not followed)", "bob": "a symbolic link (not followed)", "pipe.md": "a FIFO"}
    report = check_paths([str(sub)], progress=False)
    assert [f["file"] for f in report["files"]] == [str(sub / "alice" / "hw.md")]
    assert len(report["skipped"]) == 3
    assert all("secret" not in c["latex"] for c in report["claims"])


# --- item 6: option validation --------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["check", "X", "--timeout", "nan"], ["check", "X", "--timeout", "inf"], ["check", "X", "--timeout", "0"],
    ["check", "X", "--file-timeout", "-1"], ["check", "X", "--run-timeout", "nan"],
    ["check", "X", "--instances", "0"], ["grad", "x^T x", "--wrt", "x", "--timeout", "nan"],
    ["grad", "x^T x", "--wrt", "x", "--instances", "0"],
])
def test_bad_numbers_are_usage_errors(argv, capsys):
    assert cli_main(argv) == 2
    assert "internal error" not in capsys.readouterr().err


def test_verify_low_dps_stores_no_certificate(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path))
    assert cli_main(["verify", "ssm-kernel", "--dps", "-5", "--instances", "1"]) == 2
    assert cli_main(["verify", "ssm-kernel", "--dps", "14"]) == 2
    assert not list(tmp_path.rglob("*.json"))
    assert "--dps" in capsys.readouterr().err


# --- item 7: reports --------------------------------------------------------------------------------------

def test_tex_escape_renders_control_characters():
    from derive.emit.latex import tex_escape

    out = tex_escape("a\x1b[8mb\x00c\x7f")
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in out)
    assert "1b" in out and "00" in out and "7f" in out


def test_long_lines_are_folded_without_changing_the_text():
    from derive.report import TEX_LINE_MAX, fold_long_lines

    line = r"\texttt{" + r"abcdefghijkl\allowbreak{}" * 8000 + "}"
    folded = fold_long_lines("before\n" + line + "\nafter")
    assert max(len(x) for x in folded.split("\n")) <= TEX_LINE_MAX + 1
    assert folded.replace("%\n", "") == "before\n" + line + "\nafter"
    for piece in folded.split("\n"):
        if piece.endswith("%"):
            assert not piece[-2].isalpha() and piece[-2] != "\\"


def test_stale_pdf_removed_and_modes_from_umask(tmp_path):
    from derive.report import write_report

    out = tmp_path / "out"
    out.mkdir()
    (out / "r.pdf").write_bytes(b"%PDF old")
    (out / "r.tex").write_text("old")
    os.chmod(out / "r.tex", 0o640)
    old = os.umask(0o027)
    try:
        write_report(out, "r", "\\documentclass{article}\n", pdf=False, extra_files={"answers.json": b"{}"})
    finally:
        os.umask(old)
    assert not (out / "r.pdf").exists()
    assert stat.S_IMODE((out / "r.tex").stat().st_mode) == 0o640  # kept
    assert stat.S_IMODE((out / "answers.json").stat().st_mode) == 0o640  # 0666 & ~0027
    old = os.umask(0o022)
    try:
        path = atomic.write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def _fake_latexmk(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "latexmk"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return bin_dir


def test_latexmk_timeout_kills_the_whole_group(tmp_path, monkeypatch):
    from derive.report import compile_pdf

    marker = tmp_path / "pdflatex.pid"
    bin_dir = _fake_latexmk(tmp_path, f"""
        sleep 120 &
        echo $! > {marker}
        wait
        """)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    tex = tmp_path / "r.tex"
    tex.write_text("x")
    with pytest.raises(DeriveError, match="did not finish"):
        compile_pdf(tex, timeout=1.5)
    pid = int(marker.read_text())
    try:
        assert _wait_dead(pid), "pdflatex (latexmk's child) outlived the time limit"
    finally:
        if not _dead(pid):
            os.kill(pid, signal.SIGKILL)


def test_failed_pdf_keeps_the_log_beside_the_outputs(tmp_path, monkeypatch):
    from derive.report import write_report

    bin_dir = _fake_latexmk(tmp_path, """
        for last; do :; done
        printf '! Text line contains an invalid character.\\n' > "${last%.tex}.log"
        exit 12
        """)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "out"
    with pytest.raises(DeriveError) as info:
        write_report(out, "r", "x", pdf=True)
    log = out / "r.log"
    assert log.exists() and "invalid character" in log.read_text()
    assert str(log) in str(info.value)


# --- item 8: disk full, read-only cache, generated names ---------------------------------------------------

def test_disk_full_is_a_clear_error(tmp_path, monkeypatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(DeriveError, match="disk is full"):
        atomic.write_text(tmp_path / "a.txt", "x")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_read_only_or_full_cache_reported_before_the_work(tmp_path, monkeypatch, capsys):
    from derive.emit import trusted_cache

    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(trusted_cache.os, "access", lambda *a, **k: False)
    assert cli_main(["verify", "ssm-kernel"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and "verifying" not in err
    monkeypatch.undo()
    monkeypatch.setenv("DERIVE_CACHE", str(tmp_path / "cache"))

    class Usage:
        free = 1 << 20

    monkeypatch.setattr(trusted_cache.shutil, "disk_usage", lambda p: Usage)
    assert cli_main(["verify", "ssm-kernel"]) == 2
    err = capsys.readouterr().err
    assert "full disk" in err and "verifying" not in err


@pytest.mark.parametrize("name", ["np", "None", "import"])
def test_grad_variable_names_do_not_break_generated_code(name, capsys):
    code = cli_main(["grad", f"norm(A {name})^2", "--wrt", name, "--code", "numpy", "--instances", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"def grad_{name}({name}_, A):" in out


# --- the hostile-submissions folder, end to end ------------------------------------------------------------

def test_hostile_folder_end_to_end(tmp_path):
    """Every entry of the folder is accounted for, within the documented budget
    (tests/fixtures/hostile/README): judged, cut, an error, or skipped."""
    folder = tmp_path / "hostile"
    shutil.copytree(HOSTILE, folder)
    staff = tmp_path / "staff.md"
    staff.write_text("$$answer = 42$$\n")
    (folder / "name\x1b[2J\x1b]0;pwned\x07.md").write_text("$$a \\cdot 1 = a$$\n")
    os.symlink(staff, folder / "link.md")
    os.symlink(tmp_path, folder / "linkdir")
    os.mkfifo(folder / "fifo.md")
    budget = Budget(claim=1, file=8, run=90)
    t0 = time.monotonic()
    report = check_paths([str(folder)], budget=budget, progress=False)
    elapsed = time.monotonic() - t0
    assert elapsed < 90 + 10
    expected = {p.name for p in folder.iterdir() if p.suffix in (".md", ".tex", ".txt", "") and p.name != "README"}
    seen = ({Path(f["file"]).name for f in report["files"]} | {Path(e["file"]).name for e in report["errors"]}
            | {Path(s["file"]).name for s in report["skipped"]})
    assert seen == expected
    assert {Path(s["file"]).name for s in report["skipped"]} == {"link.md", "linkdir", "fifo.md"}
    assert all("answer" not in c["latex"] for c in report["claims"])
    for f in report["files"]:  # a cut file reports every claim it did not judge
        n = sum(1 for c in report["claims"] if c["file"] == f["file"])
        assert sum(f["counts"].values()) == n
    table = format_table(report)
    assert "\x1b" not in table and "\x07" not in table
    assert report["exit_code"] in (1, 2, 3)
