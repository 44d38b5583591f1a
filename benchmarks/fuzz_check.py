"""Fuzz ``derive check`` with hostile documents (issue 15); not part of the test run.

    PYTHONPATH=. python benchmarks/fuzz_check.py [--inputs 10000] [--sample 300] [--seed 15]

Inputs: documents from tests/fixtures (claims and hostile) and ../shared/seeds, cut into
windows of a few lines and mutated by this script's own mutators (document-level: control
and escape sequences, whitespace runs, unbalanced delimiters, deleted/duplicated/swapped
spans, splices of two documents, deep nesting, long lines, invalid UTF-8 and NUL bytes,
huge numbers), seeded (random.Random(--seed)).

Stage A, every input: read (bounded read, reader) and split into statements, in workers,
each input timed; an input past BUDGET_A + 1 s is a hang (found by re-running a chunk that
ran out of time input by input).  Stage B, a sample: the whole ``derive check`` path
(``check_paths``: file worker, per-claim workers, 50-digit numerics) with a budget of
CLAIM s per claim and FILE s per file; a file past FILE + 1 s is a hang; an "internal
error" verdict or a dead worker is a crash.  Seed flips: the fixture claims with a known
verdict checked at seeds 0-9; a claim whose status differs between seeds is a flip.
Peak RSS: the sum over this process and all its descendants, sampled every 0.1 s.
"""

from __future__ import annotations

import _setup  # noqa: F401 - one thread, repository on sys.path

import argparse
import os
import random
import tempfile
import threading
import time
from pathlib import Path

from derive.budget import Budget
from derive.check.worker import Timeout, run_bounded

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
BUDGET_A = 0.5  # seconds per input for reading and splitting (CONVENTIONS' fuzz limit)
CLAIM, FILE = 0.5, 2.0  # stage B budget per claim and per file
CHUNK = 100

ESCAPES = ["\x1b[2K", "\x1b[1A", "\x1b[8m", "\x1b]0;pwned\x07", "\x07", "\x00", "\x7f", "\u202e", "\u200b",
           "\r", "\x0c", "\x1b[31m", "\ufeff"]
DELIMS = ["$", "$$", "\\[", "\\]", "{", "}", "\\begin{align}", "\\end{align}", "\\left(", "\\right)", "---\n",
          "\\(", "\\)", "&", "\\\\"]


def corpus() -> list[str]:
    paths = sorted((ROOT / "tests" / "fixtures" / "claims").glob("*.md"))
    paths += sorted((ROOT / "tests" / "fixtures" / "hostile").glob("*.md"))
    paths += sorted(p for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return [p.read_text(errors="replace") for p in paths]


def window(rng: random.Random, text: str, lines: int = 12) -> str:
    rows = text.split("\n")
    start = rng.randrange(max(1, len(rows) - lines))
    return "\n".join(rows[start:start + rng.randint(2, lines)])


def mutate(rng: random.Random, text: str, docs: list[str]) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        i = rng.randrange(len(text) + 1)
        r = rng.randrange(11)
        if r == 0:
            text = text[:i] + rng.choice(ESCAPES) + text[i:]
        elif r == 1:
            text = text[:i] + rng.choice((" ", "\t", "\n", " \t")) * rng.randint(50, 3000) + text[i:]
        elif r == 2:
            text = text[:i] + rng.choice(DELIMS) + text[i:]
        elif r == 3 and text:
            j = min(len(text), i + rng.randint(1, 40))
            text = text[:i] + text[j:]
        elif r == 4 and text:
            j = min(len(text), i + rng.randint(1, 80))
            text = text[:j] + text[i:j] * rng.randint(2, 20) + text[j:]
        elif r == 5:
            rows = text.split("\n")
            rng.shuffle(rows)
            text = "\n".join(rows)
        elif r == 6:
            text = text[:i] + window(rng, rng.choice(docs), 6) + text[i:]
        elif r == 7:
            depth = rng.randint(50, 3000)
            text = text[:i] + "$$" + "{" * depth + "x" + "}" * depth + " = x$$" + text[i:]
        elif r == 8:
            terms = " + ".join(f"a_{{{k}}}" for k in range(rng.randint(100, 3000)))
            text = text[:i] + "$$" + terms + " = 0$$" + text[i:]
        elif r == 9:
            text = text[:i] + f"${rng.choice(['9^{9^{9}}', '10^{100000}', '2^{2^{64}}', '1e999999'])} = 1$" + text[i:]
        else:
            text = text[:i] + text[i:i + 1] * rng.randint(1, 5)
    return text


def make_inputs(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    docs = corpus()
    out = []
    for _ in range(n):
        text = mutate(rng, window(rng, rng.choice(docs)), docs)
        data = text.encode("utf-8", errors="surrogatepass")
        if rng.random() < 0.05:  # invalid UTF-8
            k = rng.randrange(len(data) + 1)
            data = data[:k] + bytes([rng.choice((0xff, 0xc3, 0xe2, 0x80))]) + data[k:]
        out.append(data)
    return out


# --- stage A: read and split every input ---------------------------------------------------------------------

def _read_split(data: bytes, folder: str) -> tuple[int, str | None]:
    from derive.claims.reader import read_document
    from derive.claims.statements import split_statements
    from derive.errors import DeriveError
    from derive.safe_io import read_text_bounded

    path = Path(folder) / "input.md"
    path.write_bytes(data)
    try:
        doc = read_document(path, read_text_bounded(path))
    except DeriveError:
        return 0, None
    except Exception as exc:  # noqa: BLE001 - a crash is what the fuzzer looks for
        return 0, f"read: {type(exc).__name__}: {exc}"[:300]
    n = 0
    for c in doc.claims:
        try:
            n += len(split_statements(c.latex))
        except Exception as exc:  # noqa: BLE001
            return n, f"split: {type(exc).__name__}: {exc}"[:300]
    return n, None


def _chunk(items: list[bytes], folder: str) -> list[tuple[float, int, str | None]]:
    out = []
    for data in items:
        t0 = time.perf_counter()
        n, crash = _read_split(data, folder)
        out.append((time.perf_counter() - t0, n, crash))
    return out


def stage_a(inputs: list[bytes], folder: str) -> dict:
    times, crashes, hangs, parsed = [], [], [], 0
    for k in range(0, len(inputs), CHUNK):
        part = inputs[k:k + CHUNK]
        try:
            results = run_bounded(_chunk, part, folder, timeout=BUDGET_A * len(part) + 5)
        except (Timeout, RuntimeError):
            results = []
            for j, data in enumerate(part):  # find the input(s) that ran out of time
                t0 = time.perf_counter()
                try:
                    results.extend(run_bounded(_chunk, [data], folder, timeout=BUDGET_A + 1))
                except Timeout:
                    hangs.append(k + j)
                    results.append((time.perf_counter() - t0, 0, None))
                except RuntimeError as exc:
                    results.append((time.perf_counter() - t0, 0, f"worker: {exc}"[:300]))
        for j, (dt, n, crash) in enumerate(results):
            times.append((dt, k + j))
            parsed += n > 0
            if crash:
                crashes.append((k + j, crash))
        print(f"  stage A: {min(k + CHUNK, len(inputs))}/{len(inputs)} inputs, {len(crashes)} crashes, "
              f"{len(hangs)} hangs", flush=True)
    slowest = max(times)
    return {"inputs": len(inputs), "with_claims": parsed, "crashes": crashes, "hangs": hangs,
            "slowest": slowest, "limit": BUDGET_A + 1}


# --- stage B: the whole check on a sample --------------------------------------------------------------------

def stage_b(inputs: list[bytes], sample: int, seed: int, folder: str) -> dict:
    from derive.commands.check import _warm_registry, check_paths

    _warm_registry()  # once per run (check_paths does it on its first file): not an input's cost
    rng = random.Random(seed + 1)
    picks = rng.sample(range(len(inputs)), min(sample, len(inputs)))
    crashes, hangs, times, claims, cut = [], [], [], 0, 0
    for n, k in enumerate(picks, 1):
        path = Path(folder) / f"b{k}.md"
        path.write_bytes(inputs[k])
        t0 = time.perf_counter()
        try:
            report = check_paths([str(path)], budget=Budget(claim=CLAIM, file=FILE), progress=False)
        except Exception as exc:  # noqa: BLE001 - check_paths must not raise on any document
            crashes.append((k, f"check_paths raised {type(exc).__name__}: {exc}"[:300]))
            continue
        dt = time.perf_counter() - t0
        times.append((dt, k))
        if dt > FILE + 1:
            hangs.append((k, round(dt, 2)))
        claims += len(report["claims"])
        cut += len(report["cut"])
        for c in report["claims"]:
            if "internal error" in (c.get("reason") or ""):
                crashes.append((k, c["reason"][:300]))
        for c in report["cut"]:
            if c["cause"] == "worker died":
                crashes.append((k, f"worker died: {c['detail']}"))
        if n % 50 == 0:
            print(f"  stage B: {n}/{len(picks)} documents, {claims} claims, {len(crashes)} crashes, "
                  f"{len(hangs)} past budget + 1 s", flush=True)
        path.unlink()
    return {"documents": len(picks), "claims": claims, "cut": cut, "crashes": crashes, "hangs": hangs,
            "slowest": max(times) if times else (0.0, -1), "limit": FILE + 1}


def seed_flips(seeds: range = range(10)) -> dict:
    from derive.commands.check import check_paths

    files = [ROOT / "tests" / "fixtures" / "claims" / n for n in ("generic_correct.md", "generic_broken.md")]
    status: dict[tuple[str, int, str], set[str]] = {}
    for s in seeds:
        report = check_paths([str(f) for f in files], seed=s, budget=Budget(claim=10), progress=False)
        for c in report["claims"]:
            status.setdefault((Path(c["file"]).name, c["line"], c["latex"]), set()).add(c["status"])
    flips = sorted(k for k, v in status.items() if len(v) > 1)
    return {"claims": len(status), "seeds": len(seeds), "flips": flips}


# --- peak RSS of the process tree ----------------------------------------------------------------------------

class TreeRSS(threading.Thread):
    """Samples the resident memory of this process and all its descendants."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stopped.wait(0.1):
            parents, rss = {}, {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    parents[int(entry)] = int(fields[1])
                    rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
                except (OSError, IndexError, ValueError):
                    continue
            tree, frontier = {me}, [me]
            while frontier:
                p = frontier.pop()
                kids = [c for c, pp in parents.items() if pp == p and c not in tree]
                tree.update(kids)
                frontier.extend(kids)
            self.peak = max(self.peak, sum(rss.get(p, 0) for p in tree))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    monitor = TreeRSS()
    monitor.start()
    t0 = time.perf_counter()
    inputs = make_inputs(args.inputs, args.seed)
    with tempfile.TemporaryDirectory(prefix="derive-fuzz-") as folder:
        a = stage_a(inputs, folder)
        b = stage_b(inputs, args.sample, args.seed, folder)
    flips = seed_flips()
    monitor.stopped.set()
    monitor.join()
    wall = time.perf_counter() - t0
    crashes = a["crashes"] + b["crashes"]
    hangs = len(a["hangs"]) + len(b["hangs"])
    print()
    print(f"inputs: {a['inputs']} read and split ({a['with_claims']} with claims); "
          f"{b['documents']} documents ({b['claims']} claims) through the whole check, {b['cut']} cut by a budget")
    print(f"crashes: {len(crashes)}")
    for k, why in crashes[:10]:
        print(f"  input {k}: {why}")
    print(f"hangs (past budget + 1 s): {hangs} (stage A inputs {a['hangs'][:10]}, stage B {b['hangs'][:10]})")
    print(f"slowest: stage A input {a['slowest'][1]} {a['slowest'][0]:.2f} s (limit {a['limit']:g} s); "
          f"stage B input {b['slowest'][1]} {b['slowest'][0]:.2f} s (file budget {FILE:g} s, limit {b['limit']:g} s)")
    print(f"peak RSS of the process tree: {monitor.peak / 2**20:.0f} MB")
    print(f"seed flips (seeds 0-9, {flips['claims']} fixture claims): {len(flips['flips'])}")
    for k in flips["flips"][:10]:
        print(f"  {k}")
    print(f"wall time: {wall:.0f} s")


if __name__ == "__main__":
    main()
