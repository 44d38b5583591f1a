"""derive grade: the hand-written class, the platform files, overrides, hostile input, crashes, resuming.

True scores come from tests/fixtures/grade/class-key.toml, written from what each
submission was made to contain before the grader ran on it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.cli import main
from derive.grade import executors, run as grade_run
from derive.grade.parts import split_parts

jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("latex2mathml", reason="the HTML pages need latex2mathml (pip install 'derive[grade]')")

FIX = Path(__file__).parent / "fixtures" / "grade"
SCHEMAS = Path(__file__).parent.parent / "derive" / "grade" / "schemas"
ARGS = ["--reference", str(FIX / "reference.md"), "--rubric", str(FIX / "rubric.toml"), "--quiet"]


def _grade(subs: Path | str, out: Path, *extra: str) -> int:
    return main(["grade", str(subs), "-o", str(out), *ARGS, *extra])


def _points(out: Path) -> dict[str, list[float]]:
    got: dict[str, list[float]] = {}
    with open(out / "grades.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            got.setdefault(row["student"], []).append(float(row["points"] or 0))
    return got


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    out = tmp_path_factory.mktemp("class")
    assert _grade(FIX / "class", out, "--jobs", "2") == 0
    return out


def test_hand_written_class_scores_equal_the_key(graded_class):
    key = tomllib.loads((FIX / "class-key.toml").read_text())
    assert len(key) >= 20
    got = _points(graded_class)
    data = json.loads((graded_class / "grades.json").read_text())
    flagged = {s["student"] for s in data["submissions"] if any(p["needs_human_look"] for p in s["parts"])}
    wrong = {s: (key[s], got.get(s)) for s in key if got.get(s) != key[s] and s not in flagged}
    assert not wrong, f"scores differ from the key: {wrong}"
    # a planted error shows as a refuted line in the right part, and never in another one
    s22 = next(s for s in data["submissions"] if s["student"] == "s22")
    assert [len(p["refuted"]) for p in s22["parts"]] == [1, 0, 2, 0]


def test_platform_files_follow_their_schemas(graded_class):
    gs = json.loads((SCHEMAS / "gradescope-results.json").read_text())
    pl = json.loads((SCHEMAS / "prairielearn-results.json").read_text())
    files = sorted((graded_class / "gradescope").glob("*/results.json"))
    assert len(files) == 22
    for f in files:
        jsonschema.validate(json.loads(f.read_text()), gs)
    for f in sorted((graded_class / "prairielearn").glob("*/results.json")):
        data = json.loads(f.read_text())
        jsonschema.validate(data, pl)
        assert data["gradable"] and 0 <= data["score"] <= 1
    s04 = json.loads((graded_class / "gradescope" / "s04" / "results.json").read_text())
    assert s04["score"] == 10 and s04["tests"][0]["score"] == 1 and s04["tests"][0]["max_score"] == 3
    s02 = json.loads((graded_class / "gradescope" / "s02" / "results.json").read_text())
    first = s02["tests"][0]["output"]
    assert "x^\\top A^\\top A x + 2 b^\\top A x" in first and "counterexample" in first
    # the schemas can fail
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"gradable": True, "score": 1.5}, pl)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"tests": [{"name": "x", "visibility": "sometimes"}], "score": 1}, gs)


def test_overrides_are_applied_and_kept(graded_class, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded_class, out)
    text = '[s04]\n"1" = 2.5\n\n[s02.lines]\n"s02.md:5" = "verified"\n'
    (out / "overrides.toml").write_text(text)
    assert _grade(FIX / "class", out, "--jobs", "1") == 0  # every submission cached: no judging
    got = _points(out)
    assert got["s04"][0] == 2.5 and got["s02"][0] == 3.0 and got["s05"] == [3, 3, 3, 2.5]
    assert (out / "overrides.toml").read_text() == text


def test_parts_from_headings():
    text = "---\nsection: 2b\n---\nx\n**(c)** foo\n1(d) bar\n\\section*{Problem 3}\na) x\n## 4\n### Part (b)\n"
    labels = [(p.label, p.first) for p in split_parts(text, "2b")]
    assert labels == [("2b", 1), ("2c", 5), ("1d", 6), ("3", 7), ("3a", 8), ("4", 9), ("4b", 10)]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(k for k, _ in attrs)
        self.values.extend(v or "" for _, v in attrs)


def test_a_submission_cannot_inject_html(tmp_path):
    subs = tmp_path / "subs"
    (subs / "mallory<img src=x onerror=alert(1)>").mkdir(parents=True)
    (subs / "mallory<img src=x onerror=alert(1)>" / "a.md").write_text(
        "# Problem 1\n<script>alert('prose')</script>\n\n"
        "$$x = \\href{javascript:alert(1)}{y}$$\n\n"
        "$$</math><script>alert(2)</script> = 1$$\n\n"
        "$$\\text{<img src=x onerror=alert(3)>} = 1$$\n\n"
        "$$\\operatorname{tr}(A) = \\operatorname{tr}(A^\\top)$$\n\n"
        "answer: $g = A^\\top (A x - b)$\n")
    out = tmp_path / "out"
    assert _grade(subs, out, "--format", "html", "--jobs", "1") == 0
    pages = list((out / "html").glob("*.html"))
    assert len(pages) == 2
    for page in pages:
        html = page.read_text()
        assert "<script" not in html.lower()
        p = _Tags()
        p.feed(html)
        assert "script" not in p.tags and "img" not in p.tags
        assert not {a for a in p.attrs if a.startswith("on")}
        assert not [v for v in p.values if "javascript" in v.lower()]
    page = (out / "html" / "mallory_img_src_x_onerror_alert_1__.html").read_text()
    assert "<math" in page  # the statement that parses is rendered, the others are escaped source
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def _fake_judge(real):
    def judge(task):
        if task["student"] == "crash":
            os._exit(7)
        if task["student"] == "hang":
            time.sleep(3600)
        return real(task)
    return judge


def test_a_crashing_and_a_hanging_submission_do_not_stop_the_others(tmp_path, monkeypatch, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("crash", "hang", "s10"):
        shutil.copy(FIX / "class" / "s10.md", subs / f"{name}.md")
    monkeypatch.setattr(grade_run, "judge_submission", _fake_judge(grade_run.judge_submission))
    out = tmp_path / "out"
    code = _grade(subs, out, "--jobs", "3", "--budget", "20", "--format", "csv", "--format", "prairielearn")
    assert code == 3
    err = capsys.readouterr().err
    assert "crash not graded: its worker died (exit code 7)" in err
    assert "hang not graded: cut by the budget of 20 s per submission" in err
    assert _points(out)["s10"] == [3, 3, 3, 3]
    pl = json.loads((out / "prairielearn" / "hang" / "results.json").read_text())
    assert pl["gradable"] is False
    jsonschema.validate(pl, json.loads((SCHEMAS / "prairielearn-results.json").read_text()))


_KILLER = """
import os, signal, sys
from derive.grade import cache
from derive.cli import main
real = cache.store
count = [0]
def store(*a, **k):
    real(*a, **k)
    count[0] += 1
    if count[0] == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
cache.store = store
sys.exit(main(sys.argv[1:]))
"""


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != "overrides.toml"}


def test_a_killed_run_resumes_without_recomputing(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("s02", "s04", "s09", "s14"):
        shutil.copy(FIX / "class" / f"{name}.md", subs / f"{name}.md")
    whole = tmp_path / "whole"
    assert _grade(subs, whole, "--jobs", "1") == 0
    killed = tmp_path / "killed"
    env = {**os.environ, "KILL_AFTER": "2", "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.run([sys.executable, "-c", _KILLER, "grade", str(subs), "-o", str(killed), *ARGS,
                           "--jobs", "1"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL
    done = sorted(p.stem for p in (killed / ".cache").glob("*.json"))
    assert done == ["s02", "s04"]
    assert not (killed / "grades.csv").exists()
    judged: list[str] = []
    real = executors.run_local

    def recording(tasks, *a, **k):
        tasks = list(tasks)
        judged.extend(t["student"] for t in tasks)
        return real(tasks, *a, **k)

    monkeypatch.setattr(grade_run.executors, "run_local", recording)
    assert _grade(subs, killed, "--jobs", "1") == 0
    assert judged == ["s09", "s14"]
    assert _tree(killed) == _tree(whole)


def test_input_errors_exit_2(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "none"), "-o", str(tmp_path / "o"), *ARGS]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[default]\nanswer = -1\n")
    (tmp_path / "subs").mkdir()
    shutil.copy(FIX / "class" / "s10.md", tmp_path / "subs" / "s10.md")
    assert main(["grade", str(tmp_path / "subs"), "-o", str(tmp_path / "o"), "--reference",
                 str(FIX / "reference.md"), "--rubric", str(bad)]) == 2
    assert "answer must be a number >= 0" in capsys.readouterr().err
    assert main(["grade", str(tmp_path / "subs"), "-o", str(tmp_path / "o"), "--reference",
                 str(FIX / "reference.md"), "--executor", "dask"]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty"), "--student", "x", "-o", str(tmp_path / "o"), *ARGS]) == 2
    assert "holds no .md/.tex/.txt documents" in capsys.readouterr().err


def test_one_student_as_the_platform_examples_grade_it(tmp_path):
    example = Path(__file__).parent.parent / "docs" / "examples"
    out = tmp_path / "out"
    assert main(["grade", str(FIX / "class" / "s02.md"), "--student", "submission", "-o", str(out), "--reference",
                 str(example / "gradescope-autograder" / "reference.md"), "--rubric",
                 str(example / "prairielearn-grader" / "rubric.toml"), "--format", "gradescope",
                 "--format", "prairielearn", "--quiet", "--jobs", "1"]) == 0
    gs = json.loads((out / "gradescope" / "submission" / "results.json").read_text())
    pl = json.loads((out / "prairielearn" / "submission" / "results.json").read_text())
    assert gs["score"] == 11.5 and pl["score"] == pytest.approx(11.5 / 12)
    assert [t["score"] for t in gs["tests"]] == [2.5, 3, 3, 3]


def test_a_missing_tool_exits_4(tmp_path, monkeypatch, capsys):
    (tmp_path / "subs").mkdir()
    shutil.copy(FIX / "class" / "s10.md", tmp_path / "subs" / "s10.md")
    base = ["grade", str(tmp_path / "subs"), "-o", str(tmp_path / "o"), *ARGS]
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert main([*base, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--format", "csv"]) == 4
    assert "pip install 'derive[cluster]'" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "latex2mathml.converter", None)
    assert main([*base, "--format", "html"]) == 4
    assert "pip install 'derive[grade]'" in capsys.readouterr().err
