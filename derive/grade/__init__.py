"""``derive grade``: a class's submissions judged against a reference solution.

parts (headings -> line ranges) · reference (answers and givens of the solution) ·
submission (one student's documents judged by the checker) · rubric / overrides / scoring
(points) · cache (results keyed by content hash) · executors (worker processes or a Dask
cluster) · outputs/ (Gradescope, PrairieLearn, CSV/JSON, HTML).
"""
