"""Issue 13: the edges a new user touches first, one test per numbered item (grad items 1-2
are in test_grad_cookbook.py).  Expected exit codes come from CONVENTIONS.md's table."""

from __future__ import annotations

import doctest
import os
import pydoc
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from derive.cli import main

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _one_line_error(err: str) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("derive:")]
    assert len(lines) == 1 and lines[0].startswith("derive: error: "), err
    assert "Traceback" not in err and "derive: error: derive" not in err


# --- item 3: bench names ------------------------------------------------------------------------------

def test_bench_names_are_spelled_like_derivation_names(capsys):
    code, _, err = _main(capsys, "bench", "no-such")
    assert code == 2
    assert "ssm-kernel" in err and "ssm_kernel" not in err
    _one_line_error(err)


def test_bench_ssm_kernel_script_has_no_undefined_name():
    """The NameError (best_hand used outside the function defining it) is found by compiling
    the script's code and looking for names used at module level in main() but never bound."""
    import symtable

    source = (ROOT / "benchmarks" / "bench_ssm_kernel.py").read_text()
    table = symtable.symtable(source, "bench_ssm_kernel.py", "exec")
    main_fn = next(t for t in table.get_children() if t.get_name() == "main")
    module_names = {s.get_name() for s in table.get_symbols()}
    for sym in main_fn.get_symbols():
        if sym.is_global() and not sym.is_assigned():
            assert sym.get_name() in module_names or hasattr(__builtins__, sym.get_name()) or \
                sym.get_name() in dir(__import__("builtins")), sym.get_name()


# --- item 4: report --pdf without TeX -----------------------------------------------------------------

def test_missing_latexmk_keeps_tex_answers_and_says_so_first(tmp_path):
    (tmp_path / "empty-bin").mkdir()
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "derive", "report", "ssm-kernel", "-o", str(out), "--pdf"], cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), PATH=str(tmp_path / "empty-bin")),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 4, r.stderr
    names = {p.name for p in out.iterdir()}
    assert {"ssm-kernel.tex", "answers.json"} <= names and "ssm-kernel.pdf" not in names
    first = r.stderr.strip().splitlines()[0]
    assert first.startswith("derive: error: latexmk is not installed")  # before any work is reported


# --- item 5: exit codes agree between commands --------------------------------------------------------

def test_report_check_exit_codes_match_check(tmp_path, capsys):
    refuted = tmp_path / "wrong.md"
    refuted.write_text("$$(A B)^\\top = A^\\top B^\\top$$\n")
    empty = tmp_path / "empty.md"
    empty.write_text("no math here\n")
    code, _, _ = _main(capsys, "report", str(refuted), "--check", "-o", str(tmp_path / "o1"))
    assert code == 1
    code, _, err = _main(capsys, "report", str(empty), "--check", "-o", str(tmp_path / "o2"))
    assert code == 2 and "no claims" in err
    _one_line_error(err)
    code, _, _ = _main(capsys, "check", str(refuted))
    assert code == 1


def test_code_into_an_existing_directory_is_an_input_error(tmp_path, capsys):
    code, _, err = _main(capsys, "code", "ssm-kernel", "--backend", "numpy", "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err
    _one_line_error(err)


# --- item 6: binary files, bad targets ------------------------------------------------------------------

@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64])
def test_binary_claim_file_is_not_a_text_file(tmp_path, capsys, data):
    f = tmp_path / "notes.md"
    f.write_bytes(data)
    code, _, err = _main(capsys, "check", str(f))
    assert code == 2 and "not a text file" in err
    _one_line_error(err)


def test_output_path_under_a_missing_directory_is_refused_not_created(tmp_path, capsys):
    target = tmp_path / "nonexistent" / "dir" / "x"
    code, _, err = _main(capsys, "report", "ssm-kernel", "-o", str(target))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "nonexistent").exists()
    code, _, err = _main(capsys, "code", "ssm-kernel", "--backend", "numpy", "-o", str(target / "k.py"))
    assert code == 2 and not (tmp_path / "nonexistent").exists()


@pytest.mark.skipif(IS_ROOT, reason="root may write into read-only directories")
def test_read_only_target_fails_before_the_work(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    import derive.reporting as reporting

    monkeypatch.setattr(reporting, "build_from_definition", lambda *a, **k: pytest.fail("work started"))
    code, _, err = _main(capsys, "report", "ssm-kernel", "-o", str(ro / "out"))
    assert code == 2 and "permission denied" in err


def test_a_failed_step_keeps_what_finished(tmp_path):
    from derive import atomic

    writer = atomic.OutputWriter(tmp_path / "out")
    with writer.step() as stage:
        (stage / "r.tex").write_text("tex")
    with pytest.raises(RuntimeError):
        with writer.step() as stage:
            (stage / "r.pdf").write_text("half")
            raise RuntimeError("latex failed")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["r.tex"]


# --- item 7: messages -------------------------------------------------------------------------------------

def test_usage_errors_are_not_doubled(capsys):
    code, _, err = _main(capsys, "check")
    assert code == 2 and "--help" in err
    _one_line_error(err)


def test_given_error_is_blamed_on_given_once(tmp_path, capsys):
    f = tmp_path / "c.md"
    f.write_text("$$A = A$$\n")
    code, out, err = _main(capsys, "check", str(f), "--given", "B = \\frac")
    assert code == 2
    assert err.count("--given") == 1 and "front matter" not in err and "front matter" not in out
    _one_line_error(err)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"derive {derive.__version__}"


@pytest.mark.parametrize("command", ["list", "show", "code", "verify", "grad", "check", "report", "bench"])
def test_quiet_and_verbose_on_every_command(command):
    from derive.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    flags = {s for a in sub.choices[command]._actions for s in a.option_strings}
    assert {"--quiet", "--verbose", "-q", "-v"} <= flags


def test_verify_prints_no_latex_and_one_summary_line(capsys):
    code, out, err = _main(capsys, "verify", "dplr-power", "--no-code", "--instances", "2")
    assert code == 0
    assert "$" not in err and "\\" not in err
    assert out.strip().splitlines()[-1].startswith("1 derivation: 1 verified")


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one():
    import io

    from derive.progress import NORMAL, Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    ticks = iter([0.0, 10.0, 20.0, 30.0])
    plain, tty = io.StringIO(), Tty()
    for stream in (plain, tty):
        p = Progress(2, verbosity=NORMAL, stream=stream, clock=lambda: 0.0)
        p.start("one $A^\\ell$")
        p.start("two")
        p.finish()
    assert "\x1b" not in plain.getvalue() and plain.getvalue().splitlines()[0] == "[1/2] one A^ℓ"
    assert "\r[" in tty.getvalue() and "ETA" in tty.getvalue()
    p = Progress(2, verbosity=NORMAL, stream=io.StringIO(), clock=lambda: next(ticks))
    p.start("a")
    p.start("b")  # one done in 10 s: one left, ETA 0:10
    assert "ETA 0:10" in p.stream.getvalue()


def test_no_raw_library_warning_reaches_the_user(capsys):
    import warnings

    import numpy as np

    from derive import cli

    def noisy(args):
        np.exp(np.float64(1000.0))  # RuntimeWarning: overflow
        warnings.warn("raw", RuntimeWarning)
        return 0

    parser = cli.build_parser()
    args = parser.parse_args(["list"])
    args.func = noisy
    with cli._warnings_as_notes():
        assert args.func(args) == 0
    assert "RuntimeWarning" not in capsys.readouterr().err


# --- item 8: show -----------------------------------------------------------------------------------------

def test_show_part_b_is_plain_text(capsys):
    code, out, _ = _main(capsys, "show", "ssm-kernel", "--part", "b")
    assert code == 0
    assert "dots" not in out and "pmatrix" not in out and "\\" not in out
    assert "K_0, …, K_4" in out and "[0.7, 0.1; 0.2, 0.6]" in out


def test_show_part_e_prints_no_sympy_internals(capsys):
    code, out, _ = _main(capsys, "show", "ssm-kernel", "--part", "e")
    assert code == 0
    assert "Apow" not in out and "a[i]" not in out and "(A^0)_(ij)" in out


def test_show_latex_of_a_part_without_steps_has_no_empty_aligned(capsys):
    code, out, _ = _main(capsys, "show", "ssm-kernel", "--part", "b", "--latex")
    assert code == 0
    assert "\\begin{aligned}\n\n\\end{aligned}" not in out and "\\boxed{" in out


# --- item 10: Python and Jupyter --------------------------------------------------------------------------

def test_api_docstrings_run():
    import derive.api

    result = doctest.testmod(derive.api, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_help_is_short_and_names_the_api():
    text = pydoc.render_doc(derive)
    assert len(text) < 8000
    for name in ("derive_gradient", "check_text", "get", "names"):
        assert name in text
    assert derive.get.__doc__ and derive.names.__doc__


def test_reprs_are_short_and_display_in_jupyter():
    entry = derive.get("ssm-kernel")
    d = entry.derivation()
    for obj in (entry, d, d.steps[0], d.answers[0]):
        assert len(repr(obj)) < 300, type(obj)
        assert obj._repr_latex_().startswith("$")
    g = derive.derive_gradient("tr(A X)", wrt="X", instances=2)
    assert repr(g).startswith("<Gradient") and "\\top" in g._repr_latex_()


def test_check_results_html_escapes_user_strings():
    r = derive.check_text("$$<script>x</script> = 1$$\n\n$$(A B)^\\top = A^\\top B^\\top$$\n", instances=3)
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "refuted" in html and "color:#cf222e" in html and "counterexample" in html


def test_matcalc_derive_gradient_accepts_text():
    import sympy as sp

    from derive.matcalc import derive_gradient

    result, _ = derive_gradient("tr(A X)", sp.MatrixSymbol("X", 3, 3))
    assert str(result.gradient) == "A.T"


# --- item 9: math in reasons is math ------------------------------------------------------------------------

def test_grad_latex_sets_reasons_as_math_and_shows_each_equation_once(capsys):
    code, out, _ = _main(capsys, "grad", "tr(A^l)", "--wrt", "A", "--latex", "--instances", "2")
    assert code == 0
    rows = [ln.split("&&")[0].strip() for ln in out.splitlines() if "&&" in ln]
    assert len(rows) == len(set(rows)), rows  # no equation twice
    assert "$^{-}$$^{1}$" not in out and "\\textsubscript{i$^\\top$}" not in out
    assert "(A^{\\top})^{-1} = (A^{-1})^{\\top}" in out


def test_formula_tex_transpose_outside_the_subscript():
    from derive.emit.latex import rich_tex

    tex = rich_tex("collect: Σ tr(G_iᵀ dX) = tr((Σ G_i)ᵀ dX)")
    assert "G_i^{\\top}" in tex and "$" in tex
    assert rich_tex("assumption: y one-hot, so 1ᵀy = 1").count("$") == 2  # prose stays prose


def test_reason_prose_keeps_inverse_and_transpose_whole():
    from derive.emit.latex import rich_tex

    tex = rich_tex("(U M Uᵀ)⁻¹ = U M⁻¹ Uᵀ for orthogonal U; the entry of Σ_i a_i a_iᵀ; a − b")
    assert "$^{-}$$^{1}$" not in tex and "(U M U$^\\top$)$^{-1}$" in tex
    assert "a\\textsubscript{i}$^\\top$" in tex and "a $-$ b" in tex
