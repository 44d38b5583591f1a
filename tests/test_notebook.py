"""docs/derive.ipynb runs from top to bottom (nbclient, a fresh kernel) and shows its results
as LaTeX / HTML; the notebook's own last cell checks the generated kernel against K_ℓ = γ α^{ℓ−1} β
written out by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_notebook_executes_and_displays(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(ROOT / "docs" / "derive.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert {"text/latex", "text/html"} <= kinds
    html = next(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})
                and "refuted" in o["data"]["text/html"])
    assert "color:#cf222e" in html
