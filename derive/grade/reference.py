"""The reference solution: its parts, the answer of each, and the givens a submission may use."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..claims.reader import read_document
from ..commands.check import check_paths
from ..errors import DeriveError
from .parts import split_parts
from .statements import NOT_STEPS, answer_value, assign, role_of


def _front_given(front: dict[str, object]) -> list[str]:
    items = front.get("given") or []
    return [str(x) for x in ([items] if isinstance(items, str) else items)]


def load_reference(path: str, timeout: float = 10.0, instances: int = 10) -> dict[str, Any]:
    """Read and check the reference once; the result is plain data sent to every worker."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeriveError(f"cannot read the reference {path!r}: {exc}") from None
    doc = read_document(p, text)
    # the problem's definitions and data are in scope for every submission
    given = _front_given(doc.front) + [c.latex for c in doc.claims if c.binding]
    report = check_paths([str(p)], timeout=timeout, seed=0, instances=instances, progress=False)
    if report["errors"]:
        raise DeriveError(f"reference {path!r}: {report['errors'][0]['message']}")
    items = report["claims"]
    given += [c["latex"] for c in items if role_of(c) in NOT_STEPS and c["latex"] not in given]
    parts = split_parts(text, doc.front.get("section"))
    assign(items, parts, text.split("\n"))
    answers: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for c in items:
        if c["part"] not in order and role_of(c) not in NOT_STEPS:
            order.append(c["part"])
        if c["answer"]:
            answers[c["part"]] = {"line": c["line"], "latex": c["latex"], "value": answer_value(c["latex"])}
    missing = [label for label in order if answers.get(label, {}).get("value") is None]
    if missing:
        raise DeriveError(f"reference {path!r}: the answer of part {missing[0] or '(untitled)'!r} does not parse")
    refuted = [c for c in items if c["status"] == "refuted" and not c["answer"]]
    return {"path": str(p), "sha256": hashlib.sha256(text.encode()).hexdigest(), "parts": order,
            "answers": answers, "given": given, "front": {"section": doc.front.get("section")},
            "refuted": [{"line": c["line"], "latex": c["latex"]} for c in refuted]}
