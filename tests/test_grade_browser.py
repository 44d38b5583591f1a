"""A graded page opened in a real headless browser (Debian's chromium through selenium):
one badge per statement, every statement's math rendered, the counterexample under each
refuted line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from derive.cli import main

webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install 'derive[test]')")
pytest.importorskip("latex2mathml", reason="the HTML pages need latex2mathml")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs chromium and chromedriver (.ci/run installs them)")

FIX = Path(__file__).parent / "fixtures" / "grade"


def _browser():
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,1400"):
        opts.add_argument(arg)
    return webdriver.Chrome(options=opts, service=Service(DRIVER))


def test_graded_page_in_a_headless_browser(tmp_path):
    from selenium.webdriver.common.by import By

    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FIX / "class" / "s22.md", subs / "s22.md")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "-o", str(out), "--reference", str(FIX / "reference.md"), "--rubric",
                 str(FIX / "rubric.toml"), "--quiet", "--jobs", "1", "--format", "html", "--format", "json"]) == 0
    graded = json.loads((out / "grades.json").read_text())["submissions"][0]
    refuted = [r for p in graded["parts"] for r in p["refuted"]]
    assert len(refuted) == 3
    driver = _browser()
    try:
        driver.get((out / "html" / "s22.html").as_uri())
        stmts = driver.find_elements(By.CSS_SELECTOR, ".stmt")
        badges = driver.find_elements(By.CSS_SELECTOR, ".stmt .badge")
        source = (FIX / "class" / "s22.md").read_text().splitlines()
        expected = sum(1 for line in source if line.startswith("$$") or line.startswith("answer:"))
        assert expected == 12 and len(stmts) == expected and len(badges) == expected
        for s in stmts:
            maths = s.find_elements(By.CSS_SELECTOR, ".math math")
            assert len(maths) == 1, s.text
            assert maths[0].size["height"] > 0 and maths[0].size["width"] > 0
            assert not s.find_elements(By.CSS_SELECTOR, ".math-source")
        shown = driver.find_elements(By.CSS_SELECTOR, ".stmt.refuted")
        lines = sorted(int(s.get_attribute("data-line")) for s in shown)
        assert [r["line"] for r in sorted(refuted, key=lambda r: r["line"])] == lines[:3]
        for s in shown:
            ce = s.find_element(By.CSS_SELECTOR, ".counterexample")
            assert ce.text.startswith("counterexample: ") and " at " in ce.text  # both sides, then the instance
        for r in refuted:
            row = driver.find_element(By.CSS_SELECTOR, f'.stmt[data-line="{r["line"]}"] .counterexample')
            first = next(iter(r["counterexample"]["instance"]))
            assert f"{first}=" in row.text
        shot = tmp_path / "page.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 1000
    finally:
        driver.quit()
