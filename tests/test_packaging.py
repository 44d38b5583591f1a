"""A non-editable install must ship every package (the list in pyproject.toml is explicit
because the catalogue directories are mapped into derive._catalogue)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "derive").rglob("__init__.py")}
    assert on_disk <= listed, f"add to pyproject.toml packages: {sorted(on_disk - listed)}"
    assert cfg["package-dir"]["derive._catalogue.proofs"] == "proofs"


def test_templates_are_shipped():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "templates/*.j2" in cfg["package-data"]["derive.emit"]
    assert (ROOT / "derive" / "emit" / "templates" / "module.py.j2").exists()
