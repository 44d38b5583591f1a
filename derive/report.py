"""Reports: Jinja2 LaTeX -> .tex (and PDF with latexmk when TeX is installed).

Templates live in the catalogue's reports/templates; Jinja2 uses LaTeX-safe delimiters
(``\\VAR{...}``, ``\\BLOCK{...}``) so TeX braces need no escaping.  Everything is
written through a staging directory so a failed run leaves the previous report intact.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import jinja2

from . import atomic
from .errors import DeriveError, ExitCode


def reports_directory() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "reports", here / "_catalogue" / "reports"):
        if (candidate / "templates").is_dir():
            return candidate
    raise DeriveError("the report templates are missing from this installation")


def latex_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_directory() / "templates")),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        line_statement_prefix="%%", line_comment_prefix="%#",
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    return latex_environment().get_template(template).render(**context)


def require_latexmk() -> None:
    """A DeriveError with exit code 4 when latexmk is missing (asked before any work)."""
    if shutil.which("latexmk") is None:
        raise DeriveError("latexmk is not installed (--pdf needs TeX Live: texlive-latex-extra and latexmk; "
                          "or run `latexmk -pdf` on the .tex where TeX is available)", ExitCode.MISSING_TOOL)


def compile_pdf(tex_path: Path, timeout: float = 300.0) -> Path:
    """Run latexmk (no shell escape, restricted file access, time-limited)."""
    require_latexmk()
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")
    cmd = ["latexmk", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", tex_path.name]
    # its own session: on the time limit the whole group goes (pdflatex too, not only latexmk)
    proc = subprocess.Popen(cmd, cwd=tex_path.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise DeriveError(f"latexmk did not finish within {timeout:g} s", ExitCode.FAILED) from None
    except BaseException:
        _kill_group(proc)
        raise
    pdf = tex_path.with_suffix(".pdf")
    if proc.returncode != 0 or not pdf.exists():
        log = tex_path.with_suffix(".log")
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        first_error = next((ln for ln in lines if ln.startswith("!") or re.match(r"^\S+\.tex:\d+: ", ln)),
                           "see the .log file")
        raise DeriveError(f"LaTeX failed on {tex_path.name}: {first_error[:300]}", ExitCode.FAILED)
    return pdf


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    if proc.stdout is not None:
        proc.stdout.close()
    proc.wait()


TEX_LINE_MAX = 2000  # TeX's input buffer holds ~200k characters; stay far below it


def fold_long_lines(tex: str, width: int = TEX_LINE_MAX) -> str:
    """Break lines longer than ``width`` with a ``%`` line end after a character that cannot
    continue a control word or start a comment (not a letter, a backslash or ``%``) and before one that
    is not a space (TeX drops leading spaces): the typeset result is the same and TeX's line
    buffer never overflows."""
    out = []
    for line in tex.split("\n"):
        while len(line) > width:
            cut = next((i for i in range(width, width // 2, -1)
                        if not line[i - 1].isalpha() and line[i - 1] not in "\\%" and line[i] != " "), None)
            if cut is None:
                break
            out.append(line[:cut] + "%")
            line = line[cut:]
        out.append(line)
    return "\n".join(out)


def overfull_boxes(log_text: str) -> list[str]:
    """The 'Overfull \\hbox' warnings of a LaTeX log (a report should have none)."""
    return [ln for ln in log_text.splitlines() if ln.startswith("Overfull \\hbox")]


def write_report(out_dir: str | os.PathLike[str], stem: str, tex: str, *, pdf: bool,
                 extra_files: dict[str, bytes] | None = None) -> list[Path]:
    """Write ``stem.tex`` (+ extra files) into ``out_dir``, then with ``pdf`` compile
    ``stem.pdf``: each step is staged and published on success, so a failed or missing
    LaTeX keeps the .tex, figures and answers.json (see :class:`atomic.OutputWriter`).  The
    previous run's PDF and log go in the first step (they must not sit beside a new .tex);
    a failed compilation's log is kept beside the outputs, where the message points."""
    if pdf:
        require_latexmk()
    writer = atomic.OutputWriter(out_dir)
    files = {f"{stem}.tex": fold_long_lines(tex).encode("utf-8"), **(extra_files or {})}

    def put(stage: Path) -> None:
        for name, data in files.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_bytes(data)

    with writer.step(stale=(f"{stem}.pdf", f"{stem}.log")) as stage:
        put(stage)
    if pdf:
        failed_log: bytes | None = None
        try:
            with writer.step() as stage:
                put(stage)  # LaTeX reads the figures beside the .tex
                try:
                    compile_pdf(stage / f"{stem}.tex")
                except DeriveError:
                    log = stage / f"{stem}.log"
                    failed_log = log.read_bytes() if log.exists() else None
                    raise
                for p in list(stage.rglob("*")):
                    if p.is_file() and p.name not in (f"{stem}.pdf", f"{stem}.log"):
                        p.unlink()
        except DeriveError as exc:
            if failed_log is None:
                raise
            kept = atomic.write_bytes(Path(out_dir) / f"{stem}.log", failed_log)
            raise DeriveError(f"{exc} (log: {kept})", exc.exit_code) from None
    return writer.written
