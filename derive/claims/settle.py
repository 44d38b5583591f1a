"""Stage 7, *judge* (settle): the verdicts of a document adjusted once all are in — a restatement
takes its original's verdict, a refutation that rests on an unsound premise or minimiser is
withdrawn, a condition judged true stays assumed for what follows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import roles as R
from ..verdict import ASSUMED, DEFINED, PROVED, REFUTED, UNDECIDED, VERIFIED


def void_unsound_minimisers(slots: list, depends: dict[int, set[int]], minimiser_slots: dict[int, bool]) -> None:
    """A statement judged with a closed form claimed for a minimiser as that name's value is not
    refuted when that closed form was refuted, or (when it was no definition) not verified: the
    value it was judged with may not be the document's minimiser."""
    for slot, used in depends.items():
        res = slots[slot]
        if res is None or res.status != REFUTED:
            continue
        unsound = [u for u in sorted(used) if slots[u] is not None and (
            slots[u].status == REFUTED or (slots[u].status not in (VERIFIED, PROVED) and not minimiser_slots.get(u)))]
        if unsound:
            first = slots[unsound[0]]
            why = (f"it fails with the closed form of line {first.line} (${first.latex}$) as that name's value, "
                   f"which is {first.status} as the minimiser, so it is not refuted")
            slots[slot] = dataclasses.replace(res, status=UNDECIDED, scope=f"undecided: {why}", reason=why,
                                              counterexample=None)


def assumed_unless_derived(slots: list, converted: dict[int, Any]) -> None:
    """A condition on free quantities judged as derived keeps its verdict only when its set was
    proved that of an earlier line; otherwise it is what it looked like, an assumption."""
    for slot, role in converted.items():
        r = slots[slot]
        if r is not None and r.status not in (PROVED, VERIFIED):
            slots[slot] = dataclasses.replace(
                r, status=ASSUMED, role=role.role, role_reason=role.why, reason=None, counterexample=None,
                links=[], scope=f"assumed: {role.why}; later statements are sampled under it (not derived: "
                                f"{(r.reason or r.scope)[:160]})")


def take_restated_verdicts(slots: list, restates: dict[int, tuple[int, str]]) -> None:
    """A set restated from another part's solution takes that solution's verdict when it was
    proved or verified (equal sets, exactly); otherwise it stays undecided, saying so."""
    found = {(r.line, r.latex): r for r in slots if r is not None}
    for slot, (line, latex) in restates.items():
        src = found.get((line, latex))
        r = slots[slot]
        if src is None or r is None:
            continue
        if src.status in (PROVED, VERIFIED):
            slots[slot] = dataclasses.replace(r, status=src.status, reason=None, scope=(
                f"{src.status}: the same set as line {line} (${latex}$, exact), which is {src.status} there"))
        else:
            why = f"restates the set of line {line} (${latex}$), which is {src.status}"
            slots[slot] = dataclasses.replace(r, scope=f"undecided: {why}", reason=why)
        found[(r.line, r.latex)] = slots[slot]  # a restatement of this one takes the verdict just given


def take_repeated_verdicts(slots: list, repeats: dict[int, tuple[int, int, str]]) -> None:
    """A condition that repeats an earlier claim is that claim again: verified when the earlier one
    is proved or verified; otherwise it stays the assumption it reads as."""
    for slot, (src_slot, line, _text) in repeats.items():
        src, r = slots[src_slot], slots[slot]
        if src is None or r is None or src.status not in (PROVED, VERIFIED):
            continue
        why = f"repeats the claim of line {line} (${src.latex}$), which is {src.status} there"
        slots[slot] = dataclasses.replace(r, status=VERIFIED, scope=f"verified: {why}", reason=None,
                                          role=R.CLAIM, role_reason=f"{why} (written as a condition: {r.role_reason})")


def refuted_only_from_sound_lines(slots: list, refuted_from: dict[int, list]) -> None:
    """A solution refuted because it does not follow from the line before stays refuted only
    when that line (and the equations substituted into it) stands: proved, verified, defined or
    assumed.  A wrong line before may be what the author corrected (the answer right, the step
    not)."""
    status = {(r.line, r.latex): r.status for r in slots if r is not None}
    for slot, premise in refuted_from.items():
        weak = [f"line {ln} is {status.get((ln, latex), 'not judged')}" for ln, latex in premise
                if status.get((ln, latex)) not in (PROVED, VERIFIED, DEFINED, ASSUMED)]
        r = slots[slot]
        if weak and r is not None and r.status == REFUTED:
            why = f"{r.reason}; but {', '.join(weak)}, so the condition it solves is not established"
            slots[slot] = dataclasses.replace(r, status=UNDECIDED, scope=f"undecided: {why}", reason=why,
                                              counterexample=None)


def void_refuted_premises(slots: list, rests_on: dict[int, list]) -> None:
    """A solution proved equal to the set of a line that is itself refuted is consistent with a
    wrong line, not right: undecided, naming it."""
    status = {(r.line, r.latex): r.status for r in slots if r is not None}
    for slot, uses in rests_on.items():
        bad = [f"line {ln}" for ln, latex in uses if status.get((ln, latex)) == REFUTED]
        r = slots[slot]
        if bad and r is not None and r.status == PROVED:
            why = f"its set equals that of {', '.join(bad)}, which is refuted: consistent with it, not confirmed"
            slots[slot] = dataclasses.replace(r, status=UNDECIDED, scope=f"undecided: {why}", reason=why)
