"""Reports: LaTeX that compiles, answers that survive into the PDF, atomic output."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.report import overfull_boxes

ROOT = Path(__file__).resolve().parent.parent
HAVE_TEX = shutil.which("latexmk") is not None and shutil.which("pdftotext") is not None


def derive_cmd(*args):
    return [sys.executable, "-m", "derive", *args]


def run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(derive_cmd(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_report_without_pdf_writes_tex_figures_code_answers(tmp_path):
    r = run("report", "ssm-kernel", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"ssm-kernel.tex", "answers.json", "code-ssm_kernel-numpy.py"} <= names
    tex = (tmp_path / "ssm-kernel.tex").read_text()
    assert "\\usepackage{booktabs}" in tex and "\\reason{" in tex
    assert "shell-escape" not in tex


@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live (latexmk) and poppler-utils are not installed")
def test_pdf_compiles_without_overfull_boxes_and_contains_answers(tmp_path):
    r = run("report", "ssm-kernel", "-o", str(tmp_path), "--pdf")
    assert r.returncode == 0, r.stderr
    log = (tmp_path / "ssm-kernel.log").read_text(errors="replace")
    assert overfull_boxes(log) == []
    text = subprocess.run(["pdftotext", str(tmp_path / "ssm-kernel.pdf"), "-"], capture_output=True,
                          text=True).stdout
    # the worked kernels (seed 000 Problem 1(b)): fractions come out as numerator/denominator lines
    for token in ["24", "25", "96", "125", "51", "100"]:
        assert token in text.split()
    answers = json.loads((tmp_path / "answers.json").read_text())["answers"]
    assert any(a["text"] == "[0, 1, 7/10, 51/100]" for a in answers)


def test_missing_latexmk_is_exit_4_with_tex_kept(tmp_path, monkeypatch):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=str(tmp_path / "empty-bin"))
    (tmp_path / "empty-bin").mkdir()
    out = tmp_path / "out"
    r = subprocess.run(derive_cmd("report", "ssm-kernel", "-o", str(out), "--pdf"), cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 4
    assert "latexmk" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.skipif(not HAVE_TEX, reason="TeX Live (latexmk) is not installed")
def test_killed_run_leaves_previous_report_intact(tmp_path):
    out = tmp_path / "out"
    assert run("report", "ssm-kernel", "-o", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # a second run, killed while LaTeX runs in its staging directory
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(derive_cmd("report", "ssm-kernel", "-o", str(out), "--pdf"), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(".derive-stage-*/*.tex")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # no PDF, no half-written .tex
    # and the next run cleans up what the killed one staged
    assert run("report", "ssm-kernel", "-o", str(out)).returncode == 0
    assert not list(out.glob(".derive-stage-*"))


def test_annotated_check_report_escapes_user_latex(tmp_path):
    claims = tmp_path / "hand.md"
    claims.write_text(
        "Two claims about transposes:\n\n"
        "$$(A B)^\\top = B^\\top A^\\top$$\n\n"
        "$$(A B)^\\top = A^\\top B^\\top$$\n\n"
        "$$A = A \\input{/etc/passwd}$$\n")
    out = tmp_path / "out"
    args = ["report", str(claims), "--check", "-o", str(out)] + (["--pdf"] if HAVE_TEX else [])
    r = run(*args)
    assert r.returncode == 1, r.stderr  # a refuted claim: the exit code of `derive check` (issue 13, item 5)
    tex = (out / "hand-checked.tex").read_text()
    assert "\\input{/etc/passwd}" not in tex  # shown escaped, never run
    assert "textbackslash{}input" in tex
    assert "\\textbf{refuted}" in tex and "verified" in tex and "undecided" in tex
    if HAVE_TEX:
        assert overfull_boxes((out / "hand-checked.log").read_text(errors="replace")) == []
