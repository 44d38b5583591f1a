"""Every exit code each command can return (README's table; CONVENTIONS.md), one case each.

Expected codes follow from the inputs: a true identity (0), a deliberately wrong one (1),
bad input (2), an approximation or a step the checker cannot evaluate (3), no latexmk (4).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli import main

ROOT = Path(__file__).resolve().parent.parent

USER_PROOFS = '''
import sympy as sp
from derive import Builder, Entry, Problem, register
x = sp.Symbol("x")
P = Problem("tiny-codes", "tiny", "x", sample_values=lambda s, sizes: {x: s.scalar(-1, 1)})
def wrong():
    b = Builder("tiny-wrong", P)
    b.step((x + 1) ** 2, x ** 2 + 1, "a wrong expansion", prover=None)
    return b.build()
def unknown():
    b = Builder("tiny-open", P)
    f = sp.Function("f")
    b.step(f(x), f(x) + 0 * x, "a function the checker cannot evaluate", prover=None)
    return b.build()
register(Entry("tiny-wrong", "wrong", wrong))
register(Entry("tiny-open", "open", unknown))
'''


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    # one directory for the module: the registry is per process and a name registers once
    d = tmp_path_factory.mktemp("proofs")
    (d / "tiny_codes.py").write_text(USER_PROOFS)
    return d


@pytest.fixture
def files(tmp_path, proofs):
    (tmp_path / "proofs").symlink_to(proofs)
    (tmp_path / "true.md").write_text("$$(A B)^\\top = B^\\top A^\\top$$\n")
    (tmp_path / "false.md").write_text("$$(A B)^\\top = A^\\top B^\\top$$\n")
    (tmp_path / "approx.md").write_text("$$x \\approx y$$\n")
    (tmp_path / "empty.md").write_text("no claims\n")
    return tmp_path


def _fake_bench(monkeypatch, status):
    import derive.cli as cli

    monkeypatch.setattr(cli.subprocess, "call", lambda *a, **k: status)


def _fail_code(monkeypatch):
    import derive.verify as verify

    monkeypatch.setattr(verify, "verify_code", lambda spec, checks, seed, backends=(): [
        {"backend": backends[0], "passed": False, "ran_on": "cpu",
         "checks": [{"label": "forced", "passed": False, "max_rel_error": 1.0, "tolerance": 1e-9}]}])


CASES = [
    ("list", 0, ["list"], None), ("list", 2, ["list", "--bogus"], None),
    ("show", 0, ["show", "dplr-power"], None), ("show", 2, ["show", "no-such"], None),
    ("code", 0, ["code", "ssm-kernel", "--backend", "numpy", "-o", "{tmp}/k.py"], None),
    ("code", 2, ["code", "ssm-kernel", "--backend", "fortran"], None),
    ("verify", 0, ["verify", "dplr-power", "--no-code", "--instances", "2"], None),
    ("verify", 1, ["--proofs", "{tmp}/proofs", "verify", "tiny-wrong", "--no-code"], None),
    ("verify", 2, ["verify"], None),
    ("verify", 3, ["--proofs", "{tmp}/proofs", "verify", "tiny-open", "--no-code"], None),
    ("grad", 0, ["grad", "tr(A X)", "--wrt", "X", "--instances", "2"], None),
    ("grad", 1, ["grad", "tr(A X)", "--wrt", "X", "--instances", "2", "--code", "numpy"], _fail_code),
    ("grad", 2, ["grad", "sum(foo(x))", "--wrt", "x"], None),
    ("grad", 3, ["grad", "logdet(X)", "--wrt", "X", "--timeout", "0.001"], None),
    ("check", 0, ["check", "{tmp}/true.md", "--instances", "3"], None),
    ("check", 1, ["check", "{tmp}/false.md", "--instances", "3"], None),
    ("check", 2, ["check", "{tmp}/empty.md"], None),
    ("check", 3, ["check", "{tmp}/approx.md"], None),
    ("report", 0, ["report", "{tmp}/true.md", "--check", "-o", "{tmp}/out"], None),
    ("report", 1, ["report", "{tmp}/false.md", "--check", "-o", "{tmp}/out"], None),
    ("report", 2, ["report", "no-such", "-o", "{tmp}/out"], None),
    ("report", 3, ["report", "{tmp}/approx.md", "--check", "-o", "{tmp}/out"], None),
    ("bench", 0, ["bench", "ssm-kernel"], lambda mp: _fake_bench(mp, 0)),
    ("bench", 1, ["bench", "ssm-kernel"], lambda mp: _fake_bench(mp, 1)),
    ("bench", 2, ["bench", "no-such"], None),
]


@pytest.mark.parametrize("command,code,argv,patch", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_exit_code(files, capsys, monkeypatch, command, code, argv, patch):
    if patch is not None:
        patch(monkeypatch)
    got = main([a.replace("{tmp}", str(files)) for a in argv])
    _, err = capsys.readouterr()
    assert got == code, err
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("derive: error: ") and "Traceback" not in err


def test_report_4_without_latexmk(files):
    (files / "empty-bin").mkdir()
    r = subprocess.run([sys.executable, "-m", "derive", "report", str(files / "true.md"), "--check", "-o",
                        str(files / "out"), "--pdf"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), PATH=str(files / "empty-bin")))
    assert r.returncode == 4 and (files / "out" / "true-checked.tex").is_file()
