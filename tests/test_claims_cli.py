"""`derive check` as a command: exit codes, JSON schema, batch directories, limits."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from derive.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs" / "claims-schema.md"
FIXTURES = Path(__file__).parent / "fixtures" / "claims"


def _schema() -> dict:
    text = DOCS.read_text()
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block, "docs/claims-schema.md has no ```json block"
    return json.loads(block.group(1))


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_exit_codes(tmp_path, capsys):
    good = _write(tmp_path, "good.md", "$$(AB)^\\top = B^\\top A^\\top$$\n")
    bad = _write(tmp_path, "bad.md", "$$(AB)^\\top = A^\\top B^\\top$$\n")
    undecided = _write(tmp_path, "und.md", "$$a \\approx b$$\n")
    empty = _write(tmp_path, "empty.md", "no math here\n")
    assert _run(capsys, str(good))[0] == 0
    assert _run(capsys, str(bad))[0] == 1
    assert _run(capsys, str(undecided))[0] == 3
    code, _, err = _run(capsys, str(empty))
    assert code == 2 and "no claims" in err
    code, _, err = _run(capsys, str(tmp_path / "missing.md"))
    assert code == 2 and "no such file" in err
    code, _, err = _run(capsys, str(good), "--problem", "no-such-problem")
    assert code == 2 and "known:" in err
    assert _run(capsys, str(good), str(bad))[0] == 1  # batch: a refutation wins


def test_json_validates_against_documented_schema(tmp_path, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    f = _write(tmp_path, "m.md", "---\ngiven:\n  - s = p^\\top p\n---\n"
               "$$(M + uv^\\top)^{-1} = M^{-1} + \\frac{M^{-1}uv^\\top M^{-1}}{1 + v^\\top M^{-1}u}$$\n\n"
               "$$(A^\\top)^\\top = A = A I$$\n\n$$x = \\frac{1}{$$\n\n$$(I + pp^\\top)^2 = I + (2 + s) pp^\\top$$\n")
    code, out, _ = _run(capsys, str(f), "--json", "--seed", "4")
    report = json.loads(out)
    jsonschema.validate(report, _schema())
    assert code == report["exit_code"] == 1
    statuses = [c["status"] for c in report["claims"]]
    assert statuses[0] == "refuted" and statuses[1] in ("proved", "verified") and statuses[2] == "undecided"
    assert statuses[3] in ("proved", "verified")
    assert report["claims"][0]["counterexample"]["instance"]
    assert "cannot parse" in report["claims"][2]["reason"] and "column" in report["claims"][2]["reason"]
    assert len(report["claims"][1]["links"]) == 2
    # the same seed gives the same report
    _, out2, _ = _run(capsys, str(f), "--json", "--seed", "4")
    strip = lambda r: [{k: v for k, v in c.items() if k != "seconds"} for c in json.loads(r)["claims"]]
    assert strip(out) == strip(out2)


def test_directory_batch_and_progress(tmp_path, capsys):
    d = tmp_path / "sub"
    d.mkdir()
    _write(d, "a.md", "$$a + b = b + a$$\n")
    _write(d, "b.tex", "\\begin{equation} x^\\top y = y^\\top x \\end{equation}\n")
    _write(d, "ignored.py", "x = 1\n")
    code, out, err = _run(capsys, str(d))
    assert code == 0
    assert "[1/2]" in err and "[2/2]" in err
    assert "a.md:1" in out and "b.tex:1" in out


def test_tower_and_slow_claims_end_undecided_within_the_limit(tmp_path, capsys):
    f = _write(tmp_path, "t.md", "$$9^{9^{9}} = 9^{9^{9}} + 1$$\n\n"
               "$$\\sum_{i=1}^{100000} \\sum_{j=1}^{100000} i j = 0$$\n\n"
               "$$" + "{" * 10_000 + "x" + "}" * 10_000 + " = x$$\n")
    t0 = time.perf_counter()
    code, out, _ = _run(capsys, str(f), "--json", "--timeout", "1")
    elapsed = time.perf_counter() - t0
    report = json.loads(out)
    assert code == 3
    assert [c["status"] for c in report["claims"]] == ["undecided"] * 3
    assert "too large" in report["claims"][0]["reason"] or "time limit" in report["claims"][0]["reason"]
    assert "time limit" in report["claims"][1]["reason"]
    assert "nesting" in report["claims"][2]["reason"]
    # CONVENTIONS: each ends within its limit + 1 s (three claims, 1 s limit each)
    assert elapsed < 3 * (1 + 1)


def test_table_shows_counterexample(tmp_path, capsys):
    f = _write(tmp_path, "c.md", "$$\\frac{d}{dx}\\tanh(x) = 1 + \\tanh^2(x)$$\n")
    code, out, _ = _run(capsys, str(f))
    assert code == 1
    assert "refuted" in out and "at x=" in out and "lhs=" in out


def test_given_flag_adds_bindings(tmp_path, capsys):
    f = _write(tmp_path, "g.md", "$$(I + pp^\\top)^2 = I + (2 + s) pp^\\top$$\n")
    assert _run(capsys, str(f))[0] == 1  # s free: not an identity
    assert _run(capsys, str(f), "--given", "s = p^\\top p")[0] == 0
