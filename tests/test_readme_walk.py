"""The README documents every command, option and exit code the CLI ships, and nothing else;
the lines of its "Every command once" block all run, against a fresh cache.

Expected exit codes: the claim fixtures carry keys written before the checker ran
(generic_correct: all ok -> 0; generic_broken: all refuted -> 1; seed000_p1_ssm: 6 refuted -> 1);
`report hw8 --pdf` is 0 with TeX Live and 4 without (CONVENTIONS.md).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()

EXPECTED = {
    "derive check tests/fixtures/claims/generic_broken.md": 1,
    "derive check tests/fixtures/claims/seed000_p1_ssm.md": 1,
    "derive check tests/fixtures/documents": 1,  # the corpus plants errors in every document
    "derive bench anchors --anchors missing/": 4,  # the anchors file is a required external file
    "derive report tests/fixtures/claims/seed000_p1_ssm.md --check": 1,
    "derive report hw8 -o out --pdf": 0 if shutil.which("latexmk") else 4,
}


def _walk_lines() -> list[str]:
    block = README[README.index("### Every command once"):]
    body = block[block.index("```bash") + len("```bash"):]
    return [ln.strip() for ln in body[:body.index("```")].splitlines() if ln.strip().startswith("derive")]


def _parsers() -> dict[str, object]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {"": parser, **sub.choices}


def _options(p) -> list[tuple[str, ...]]:
    return [tuple(a.option_strings) for a in p._actions if a.option_strings]


def test_readme_documents_every_command_option_and_code_and_no_other():
    parsers = _parsers()
    commands = [c for c in parsers if c]
    for name in commands:
        assert f"`derive {name}" in README, f"command {name} is not in the README"
    for name, p in parsers.items():
        for opts in _options(p):
            assert any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", README) for o in opts), (name, opts)
    # nothing the CLI does not ship: every `--flag` the README shows exists on some parser
    shipped = {o for p in parsers.values() for opts in _options(p) for o in opts}
    # flags of other programs the README shows: dask's worker, the benchmark scripts
    others = {"--nworkers", "--nthreads", "--n"}
    shown = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", README)) - others
    assert shown - shipped == set(), shown - shipped
    for code in range(5):
        assert re.search(rf"^\| {code} \|", README, re.M), f"exit code {code} is not in the README table"


def test_walk_covers_every_command_and_option():
    lines = _walk_lines()
    words = {w for ln in lines for w in shlex.split(ln)}
    for name, p in _parsers().items():
        if name:
            assert any(shlex.split(ln)[1:2] == [name] or f" {name} " in ln for ln in lines), name
        for opts in _options(p):
            if set(opts) & {"-h", "--help"} and name:
                continue  # one --help is enough
            if "--scheduler" in opts or "--student" in opts:
                # --scheduler needs a running dask scheduler (tests/test_grade_dask.py starts a real
                # LocalCluster); --student grades one submission (tests/test_grade.py)
                continue
            assert set(opts) & words, (name, opts)


@pytest.mark.slow
def test_every_readme_line_runs_against_a_fresh_cache(tmp_path):
    for name in ("tests", "proofs"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ, PYTHONPATH=str(ROOT), DERIVE_CACHE=str(tmp_path / "cache"))
    failures = []
    for line in _walk_lines():
        argv = shlex.split(line)[1:]
        r = subprocess.run([sys.executable, "-m", "derive", *argv], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=900)
        want = next((c for prefix, c in EXPECTED.items() if line.startswith(prefix)), 0)
        if r.returncode != want or "Traceback" in r.stderr:
            failures.append((line, r.returncode, want, r.stderr[-500:]))
    assert not failures, failures
    assert (tmp_path / "kernel.py").is_file() and (tmp_path / "out" / "hw8.tex").is_file()
    assert (tmp_path / "cache").is_dir()
