"""Derivations: ordered steps produced by SymPy operations, each checked.

A proof module builds a :class:`Derivation` with a :class:`Builder`: every ``step`` call
records a relation between two SymPy expressions that some SymPy operation produced
(``rsolve``, ``solve``, ``diff``, matrix algebra, the sum rules), with the reason in
words.  ``Derivation.check()`` sends every step through the equivalence checker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy as sp

from .check import CheckSettings, check_equal
from .check.equivalence import Prover
from .check.symbolic import prove_equal
from .problem import Problem
from .verdict import REFUTED, Verdict, combine


@dataclass(frozen=True)
class Step:
    """``lhs <relation> rhs`` because ``reason``; checked on ``problem`` (the derivation's
    own unless a step needs a specialised one, e.g. a diagonal A) under ``condition``."""

    lhs: sp.Basic
    rhs: sp.Basic
    reason: str
    relation: str = "="
    condition: sp.Basic | None = None
    part: str | None = None
    problem: Problem | None = None
    prover: Prover | None = prove_equal
    how: str = ""  # the SymPy operation that produced rhs, e.g. "rsolve"

    def latex(self) -> str:
        from .emit.latex import latex, rich_tex

        names = {"seq_style": dict(self.problem.latex_names)} if self.problem else {}
        rel = {"=": "=", "<=": r"\le", ">=": r"\ge"}.get(self.relation, self.relation)
        return (f"{latex(self.lhs, **names)} {rel} {latex(self.rhs, **names)}"
                rf"\quad\text{{{rich_tex(self.reason)}}}")

    def __repr__(self) -> str:
        from .emit.text import text

        from .emit.text import rich_plain

        return f"<Step {text(self.lhs)} {self.relation} {text(self.rhs)}: {rich_plain(self.reason)}>"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


@dataclass(frozen=True)
class Answer:
    """The answer to a part: a SymPy value (expression, list, set), its display forms,
    and an optional independent check (e.g. exact simulation) returning a Verdict."""

    part: str
    label: str
    value: Any
    latex: str
    text: str
    check: Callable[[], Verdict] | None = None

    def __repr__(self) -> str:
        from .emit.text import rich_plain

        return f"<Answer ({self.part}) {rich_plain(self.label)} = {self.text}>"

    def _repr_latex_(self) -> str:
        return f"$\\boxed{{{self.latex}}}$"


@dataclass(frozen=True)
class StepResult:
    step: Step
    verdict: Verdict


@dataclass(frozen=True)
class CheckedDerivation:
    derivation: "Derivation"
    steps: tuple[StepResult, ...]
    answers: tuple[tuple[Answer, Verdict], ...]

    @property
    def status(self) -> str:
        return combine([r.verdict for r in self.steps] + [v for _, v in self.answers])

    @property
    def ok(self) -> bool:
        return all(r.verdict.ok for r in self.steps) and all(v.ok for _, v in self.answers)

    def __repr__(self) -> str:
        return f"<CheckedDerivation {self.derivation.name}: {self.status}, {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        """A table of steps with their verdicts (every string escaped)."""
        import html

        from .emit.text import text

        colour = {"proved": "#1a7f37", "verified": "#2da44e", "refuted": "#cf222e", "undecided": "#9a6700"}
        rows = "".join(
            f"<tr><td><code>{html.escape(text(r.step.lhs))} {html.escape(r.step.relation)} "
            f"{html.escape(text(r.step.rhs))}</code></td><td>{html.escape(r.step.reason)}</td>"
            f"<td style=\"color:{colour.get(r.verdict.status, '#57606a')};font-weight:bold\">"
            f"{html.escape(r.verdict.status)}</td><td>{html.escape(r.verdict.scope)}</td></tr>" for r in self.steps)
        return (f"<p><b>{html.escape(self.derivation.name)}</b>: {html.escape(self.status)}</p><table><thead><tr>"
                f"<th>step</th><th>reason</th><th>verdict</th><th>scope</th></tr></thead><tbody>{rows}</tbody></table>")


@dataclass(frozen=True)
class Derivation:
    """A problem, the checked-to-be steps that derive its results, and its answers."""

    name: str
    problem: Problem
    steps: tuple[Step, ...]
    results: Mapping[str, sp.Basic]
    answers: tuple[Answer, ...] = ()
    notes: tuple[str, ...] = ()

    def result(self, key: str) -> sp.Basic:
        return self.results[key]

    def part_names(self) -> list[str]:
        """Every part in order: the problem's questions, then parts only steps or answers name."""
        return list(dict.fromkeys([p.name for p in self.problem.parts] + [s.part for s in self.steps if s.part]
                                  + [a.part for a in self.answers if a.part]))

    def steps_for(self, part: str | None) -> tuple[Step, ...]:
        if part is None:
            return self.steps
        return tuple(s for s in self.steps if s.part == part)

    def answers_for(self, part: str | None) -> tuple[Answer, ...]:
        if part is None:
            return self.answers
        return tuple(a for a in self.answers if a.part == part)

    def check(self, settings: CheckSettings = CheckSettings(), *,
              progress: Callable[[str], None] | None = None) -> CheckedDerivation:
        from .emit.latex import latex

        results = []
        for i, step in enumerate(self.steps):
            if progress:
                progress(f"step {i + 1}/{len(self.steps)}: {step.reason}")
            claim = f"{latex(step.lhs)} {step.relation} {latex(step.rhs)}"
            if step.relation != "=":
                raise ValueError(f"relation {step.relation!r} needs its own checker")
            verdict = check_equal(step.lhs, step.rhs, step.problem or self.problem,
                                  condition=step.condition, settings=settings,
                                  prover=step.prover, claim=claim)
            results.append(StepResult(step, verdict))
        answers = []
        for ans in self.answers:
            if ans.check is not None:
                if progress:
                    progress(f"answer {ans.part}: {ans.label}")
                answers.append((ans, ans.check()))
        return CheckedDerivation(self, tuple(results), tuple(answers))

    def latex(self, part: str | None = None) -> str:
        from .emit.latex import derivation_latex

        return derivation_latex(self, part)

    def __repr__(self) -> str:
        return f"<Derivation {self.name}: {len(self.steps)} steps, {len(self.answers)} answers>"

    def _repr_latex_(self) -> str:
        rows = ([self.latex()] if self.steps else []) + [rf"\boxed{{{a.latex}}}" for a in self.answers]
        return "$$\n\\begin{gathered}\n" + " \\\\\n".join(rows) + "\n\\end{gathered}\n$$"


@dataclass
class Builder:
    """Collects steps, results and answers; ``build()`` freezes them into a Derivation."""

    name: str
    problem: Problem
    steps: list[Step] = field(default_factory=list)
    results: dict[str, sp.Basic] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    part: str | None = None

    def step(self, lhs: sp.Basic, rhs: sp.Basic, reason: str, **kw: Any) -> sp.Basic:
        kw.setdefault("part", self.part)
        self.steps.append(Step(lhs, rhs, reason, **kw))
        return rhs

    def result(self, key: str, expr: sp.Basic) -> sp.Basic:
        self.results[key] = expr
        return expr

    def answer(self, label: str, value: Any, latex: str, text: str, *,
               check: Callable[[], Verdict] | None = None, part: str | None = None) -> None:
        self.answers.append(Answer(part or self.part or "", label, value, latex, text, check))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def build(self) -> Derivation:
        return Derivation(self.name, self.problem, tuple(self.steps), dict(self.results),
                          tuple(self.answers), tuple(self.notes))


def refuted_steps(checked: CheckedDerivation) -> list[StepResult]:
    return [r for r in checked.steps if r.verdict.status == REFUTED]
