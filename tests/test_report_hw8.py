"""The HW8 solution set: every final answer reaches the .tex, answers.json and the PDF."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive.report import overfull_boxes

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                                reason="TeX Live (latexmk) and poppler-utils are not installed")


@pytest.fixture(scope="module")
def hw8(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "derive", "report", "hw8", "-o", str(out), "--pdf"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", str(out / "hw8.pdf"), "-"], capture_output=True, text=True).stdout
    return out, text


def test_compiles_without_overfull_boxes(hw8):
    out, _ = hw8
    assert overfull_boxes((out / "hw8.log").read_text(errors="replace")) == []


def test_answers_json_matches_tex(hw8):
    out, _ = hw8
    tex = (out / "hw8.tex").read_text()
    answers = json.loads((out / "answers.json").read_text())["answers"]
    assert {(a["problem"], a["part"]) for a in answers} >= {("1", "b"), ("1", "f"), ("3", "a"), ("3", "b"),
                                                            ("3", "c"), ("4", "g")}
    for a in answers:
        assert a["latex"] in tex


def test_pdf_text_contains_the_final_answers(hw8):
    _, text = hw8
    words = text.split()
    # Problem 1(b): 24/25 and 96/125 (pdftotext puts numerator and denominator on separate lines)
    for token in ("24", "25", "96", "125", "51", "100"):
        assert token in words
    assert "[1, 4]" in text  # Problem 3(c)
    assert "U diag" in text  # Problem 3(b): U diag(σ²/(σ²+λ)) Uᵀ
    assert "αi = k⊤" in text.replace("\n", " ")  # Problem 4(g): α_i = k_i^T (K^T K + λI)^{-1} q
    assert "Problem 1" in text and "Problem 3" in text and "Problem 4" in text
    assert text.index("Problem 1") < text.index("Problem 3") < text.index("Problem 4")
