"""Finished submissions, stored by the content hash of submission + reference + rubric + version.

One file per student under OUT/.cache, written atomically as soon as the student is done,
so a killed run resumes where it stopped and an edited submission is judged again.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .. import __version__, atomic


def cache_key(files: list[tuple[str, str]], reference: dict[str, Any], rubric_text: str,
              settings: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for part in (__version__, reference["sha256"], rubric_text, json.dumps(settings, sort_keys=True)):
        h.update(part.encode() + b"\0")
    for name, text in files:
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def safe_name(student: str) -> str:
    """A file name for a student id (ids come from folder names: keep them, minus odd characters)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".") or "_"


def load(out: Path, student: str, key: str) -> dict[str, Any] | None:
    path = out / ".cache" / f"{safe_name(student)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("result") if data.get("key") == key else None


def store(out: Path, student: str, key: str, result: dict[str, Any]) -> None:
    atomic.write_text(out / ".cache" / f"{safe_name(student)}.json",
                      json.dumps({"key": key, "result": result}, sort_keys=True, ensure_ascii=False), make_parents=True)
