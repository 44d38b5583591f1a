"""Fuzz: mutated and random LaTeX through the claim checker — no crash, no hang.

Inputs (seeded, random.Random(20261123)): the claims of the fixture files and of seed
004, mutated by token edits (swap letters, flip signs, change exponents, drop or insert
^, _, braces, \\frac, \\sum, \\|, delete/duplicate/truncate spans), plus random token
soup and adversarial shapes (deep nesting, exponent towers, huge matrices).

Stage 1: every input (several thousand) is read, split and bound (names, shapes, SymPy)
in worker processes with a bound of 0.5 s per input on average per chunk.
Stage 2: a sample goes through the full check (numerics at 50 digits) with the 0.5 s
per-input limit of CONVENTIONS; every one must end with a verdict.
At least half of all inputs must parse.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from derive.check.worker import Timeout, run_bounded
from derive.claims.binding import bind_chain
from derive.claims.judge import Options, judge_document
from derive.claims.statement_judge import chain_links
from derive.claims.reader import Document, Claim, read_document
from derive.claims.scope import BindError, Scope
from derive.claims.statements import split_statements
from derive.verdict import STATEMENT_STATUSES as STATUSES

ROOT = Path(__file__).resolve().parent
SEED_004 = ROOT.parent.parent / "shared" / "seeds" / "004_4d5bdb14b6230772.txt"
N_INPUTS = 3000
N_FULL = 200
CHUNK = 250
LIMIT = 0.5

VOCAB = ["x", "A", "B", "y", "^", "_", "{", "}", "(", ")", "+", "-", "=", "\\frac", "\\sum", "\\|", "|",
         "\\top", "^{-1}", "\\sigma", "'", "\\tanh", "\\cdot", "\\odot", "2", "0", "1", "\\ell", "\\bar{h}",
         "^{(t)}", "\\partial", "d", "&", "\\\\", "\\begin{pmatrix}", "\\end{pmatrix}", "\\le", "\\in", "[", "]",
         ",", "\\quad", "\\therefore", "\\text{for }", "\\nabla", "\\operatorname{tr}", "\\det", "\\alpha", "9"]


def _corpus() -> list[str]:
    texts = []
    for f in sorted((ROOT / "fixtures" / "claims").glob("*.md")):
        texts += [c.latex for c in read_document(f).claims]
    if SEED_004.exists():
        texts += [c.latex for c in read_document(SEED_004).claims]
    return texts


def _mutate(rng: random.Random, s: str) -> str:
    ops = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    for _ in range(ops):
        r = rng.random()
        if not s:
            s = rng.choice(VOCAB)
        i = rng.randrange(len(s) + 1)
        if r < 0.3:  # mild: swap a letter
            in_cmd = {k for m in re.finditer(r"\\[A-Za-z]+", s) for k in range(m.start(), m.end())}
            letters = [k for k, ch in enumerate(s) if ch.isalpha() and k not in in_cmd]
            if letters:
                k = rng.choice(letters)
                s = s[:k] + rng.choice("ABCMuvxyp") + s[k + 1:]
        elif r < 0.5:  # mild: flip a sign
            s = s.replace("+", "-", 1) if rng.random() < 0.5 else s.replace("-", "+", 1)
        elif r < 0.62:  # mild: change an exponent or drop a transpose
            s = s.replace("^{-1}", "^{-2}", 1) if "^{-1}" in s else s.replace("^\\top", "", 1)
        elif r < 0.74:
            s = s[:i] + rng.choice(VOCAB) + s[i:]
        elif r < 0.84:
            j = min(len(s), i + rng.randint(1, 6))
            s = s[:i] + s[j:]
        elif r < 0.93:
            j = min(len(s), i + rng.randint(1, 12))
            s = s[:i] + s[i:j] * 2 + s[j:]
        else:
            s = s[: rng.randrange(len(s) + 1)]
    return s


def _inputs() -> list[str]:
    rng = random.Random(20261123)
    corpus = _corpus()
    out = []
    out += ["{" * 10_000 + "x" + "}" * 10_000 + "= x", "9^{9^{9^{9}}} = 1", "2^{2^{2^{2^{2^{2}}}}} = x",
            "\\begin{pmatrix}" + "\\\\".join("&".join("1" for _ in range(45)) for _ in range(45)) + "\\end{pmatrix} = 1",
            "A^{1000000000} = A", "\\sum_{i=1}^{10^{9}} i = 0", "x" * 40_000 + " = y", "$", "\\", "{}", "= =",
            "\\frac{\\partial}{\\partial}", "d d d X = 0", "\\nabla^{7} F(x) = 0", "(" * 500 + " = )"]
    while len(out) < N_INPUTS:
        r = rng.random()
        if r < 0.9:
            out.append(_mutate(rng, rng.choice(corpus)))
        else:
            out.append(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 25))))
    return out


def _read_and_bind(texts: list[str]) -> tuple[int, int, list[str]]:
    """(parsed, bound, crashes) for a chunk: anything but ParseError/BindError is a crash."""
    parsed = bound = 0
    crashes = []
    scope = Scope()
    for s in texts:
        try:
            sts = split_statements(s)
            ok = [st for st in sts if st.error is None]
            if ok and len(ok) == len(sts):
                parsed += 1
            for st in ok:
                nodes, links = chain_links(st.tree)
                if not links:
                    continue
                try:
                    bind_chain(nodes, [], scope, st.condition, pairs=[(a, b) for a, _, b in links])
                    bound += 1
                except BindError:
                    pass
        except Exception as exc:  # noqa: BLE001 - this is what the fuzz test looks for
            crashes.append(f"{type(exc).__name__}: {exc} <- {s[:120]!r}")
    return parsed, bound, crashes


def test_fuzz_read_and_bind_never_crash():
    inputs = _inputs()
    assert len(inputs) >= N_INPUTS
    parsed = bound = 0
    crashes: list[str] = []
    for k in range(0, len(inputs), CHUNK):
        chunk = inputs[k:k + CHUNK]
        try:
            p, b, c = run_bounded(_read_and_bind, chunk, timeout=LIMIT * len(chunk))
        except Timeout:
            raise AssertionError(f"chunk {k // CHUNK} ran past {LIMIT * len(chunk)} s") from None
        parsed, bound, crashes = parsed + p, bound + b, crashes + c
    assert not crashes, "\n".join(crashes[:10])
    assert parsed >= len(inputs) // 2, f"only {parsed} of {len(inputs)} inputs parse"
    assert bound > 0


def test_fuzz_full_check_ends_with_a_verdict(tmp_path):
    rng = random.Random(7)
    sample = rng.sample(_inputs(), N_FULL)
    doc = Document(path="fuzz", front={}, claims=[Claim(line=i + 1, latex=s, display=True)
                                                   for i, s in enumerate(sample)])
    results = judge_document(doc, opts=Options(timeout=LIMIT, instances=4))
    assert len(results) >= N_FULL // 2
    assert all(r.status in STATUSES for r in results)
    assert not [r for r in results if "internal error" in (r.reason or "")], \
        [(r.latex[:80], r.reason) for r in results if "internal error" in (r.reason or "")][:5]
    # each claim ended within its limit (plus process start-up)
    assert max(r.seconds for r in results) < LIMIT + 1.0
