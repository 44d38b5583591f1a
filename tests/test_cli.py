"""Command-line behaviour: exit codes, one-line errors, JSON certificates."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_list_json():
    r = run("list", "--json")
    assert r.returncode == 0
    names = [e["name"] for e in json.loads(r.stdout)]
    assert "ssm-kernel" in names


@pytest.mark.parametrize("args, needle", [
    (("show", "no-such-problem"), "known: "),
    (("code", "ssm-kernel", "--backend", "fortran"), "unknown backend"),
    (("code", "ssm-kernel", "--backend", "numpy", "-o", "/proc/nope/x.py"), "cannot write"),
    (("verify",), "--all"),
    (("show", "ssm-kernel", "--part", "z"), "no part"),
])
def test_bad_input_is_one_line_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_show_part_b_prints_exact_kernels():
    r = run("show", "ssm-kernel", "--part", "b")
    assert r.returncode == 0
    assert "[δ, 3/2, 6/5, 24/25, 96/125]" in r.stdout
    assert "[0, 1, 7/10, 51/100]" in r.stdout


def test_show_latex():
    r = run("show", "ssm-kernel", "--latex")
    assert r.returncode == 0 and "\\begin{aligned}" in r.stdout and "\\boxed{" in r.stdout


def test_code_to_file(tmp_path):
    out = tmp_path / "k.py"
    r = run("code", "ssm-kernel", "--backend", "numba", "-o", str(out))
    assert r.returncode == 0 and "def kernel_diag(" in out.read_text()


def test_verify_json_exit_0(tmp_path):
    r = run("verify", "ssm-kernel", "--json", "--instances", "4")
    assert r.returncode == 0, r.stderr[-2000:]
    cert = json.loads(r.stdout)
    assert cert["passed"] is True and cert["seed"] == 0
    assert all(s["status"] in ("proved", "verified") for s in cert["steps"])
    assert all(s["dps"] == 50 for s in cert["steps"])
    assert {b["backend"] for b in cert["code"]} == {"numpy", "numba", "cupy"}
    for b in cert["code"]:
        for c in b["checks"]:
            assert c["passed"] and c["max_rel_error"] <= c["tolerance"] and c["inputs"] and c["reference"]


def test_user_proofs_directory(tmp_path):
    (tmp_path / "tiny.py").write_text(
        "import sympy as sp\n"
        "from derive import Builder, Entry, Problem, register\n"
        "x = sp.Symbol('x')\n"
        "P = Problem('tiny', 'tiny', 'x', sample_values=lambda s, sizes: {x: s.scalar(-1, 1)})\n"
        "def derive():\n"
        "    b = Builder('tiny', P)\n"
        "    b.step((x + 1) ** 2, sp.expand((x + 1) ** 2), 'expand')\n"
        "    return b.build()\n"
        "register(Entry('tiny-user', 'a user proof', derive))\n")
    r = run("--proofs", str(tmp_path), "verify", "tiny-user", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["steps"][0]["status"] == "proved"


def test_report_minimal_tex(tmp_path):
    r = run("report", "ssm-kernel", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    tex = (tmp_path / "ssm-kernel.tex").read_text()
    assert "\\begin{align*}" in tex and "\\fbox{" in tex
    answers = json.loads((tmp_path / "answers.json").read_text())["answers"]
    assert any(a["text"] == "[δ, 3/2, 6/5, 24/25, 96/125]" for a in answers)
    assert all(a["latex"] in tex for a in answers)
