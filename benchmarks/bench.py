"""timeoutlint beside Ruff, Bandit and Fixit on one corpus, with every rule enabled.

Prints one table: wall time (median of ``--repeat`` runs), peak RSS of the largest process,
and the ratio to Ruff's cold run, for

- cold: the whole corpus, no cache, ``--jobs 2`` and ``--jobs 1``;
- warm: the same again, nothing changed, everything cached;
- pre-commit: a copy of one large project of the corpus with a config (so the rest of the
  project is read for its facts), cached, then 10 of its largest files changed and checked
  (what the hook passes), and 1 small file changed and checked;
- Ruff ``--select ASYNC,S113``, Bandit ``-t B113`` (cold, the whole corpus) and Fixit
  (on ``--fixit-files`` files; its rate is what compares).

Then where a cold run's CPU goes, measured in one process over a sample of the corpus:
CPython's parse (the syntax check of every file), the trigger scan, the selection of
statements, libcst's parse of what is selected, and the walk with the rules.

usage: python benchmarks/bench.py --corpus DIR [--repeat N]   (or benchmarks/run.sh)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

BIN = Path(sys.executable).parent
TARGETS = {
    "cold, --jobs 2": "<= 15x Ruff",
    "pre-commit, 10 large files": "<= 1.0 s",
    "pre-commit, 1 small file": "<= 0.3 s",
    "warm (all cached)": "<= 1x Ruff",
    "bandit -t B113": "timeoutlint >= 10x faster",
}


def measure(command: Sequence[str], cwd: Path) -> Dict[str, float]:
    """Run ``command`` in a child that reports its wall time and the peak RSS of its
    largest process (workers included: ``RUSAGE_CHILDREN`` keeps the maximum)."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - start\n"
        "print(json.dumps({'wall': wall, 'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True, timeout=7200)
    return json.loads(out.stdout)


def median_of(command: Sequence[str], cwd: Path, repeat: int, before: Optional[Callable[[], None]] = None) -> Dict[str, float]:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(measure(command, cwd))
    return {"wall": statistics.median(r["wall"] for r in runs), "rss_mb": max(r["rss_mb"] for r in runs)}


def line_count(paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def precommit_project(corpus: Path, work: Path) -> Optional[Path]:
    """A copy of the corpus' Django package, with a config file."""
    sources = sorted(corpus.glob("django-*/django"))
    if not sources:
        return None
    project = work / "project"
    shutil.copytree(sources[0], project / "django")
    (project / "pyproject.toml").write_text("[tool.timeoutlint]\n", encoding="utf-8")
    return project


def profile(files: Sequence[str], sample: int) -> Dict[str, float]:
    """Seconds per phase over ``sample`` files, in this process."""
    import libcst as cst

    import timeoutlint.api as api
    from timeoutlint.engine import enabled_rules
    from timeoutlint.settings import Settings

    spent: Dict[str, float] = {}

    def timed(name: str, function: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return run

    originals = (api.python_tree, api.could_match, api.select, cst.parse_module, api.lint_module)
    api.python_tree = timed("CPython parse (syntax, every file)", api.python_tree)  # type: ignore[assignment]
    api.could_match = timed("trigger scan", api.could_match)  # type: ignore[assignment]
    api.select = timed("statement selection", api.select)  # type: ignore[assignment]
    cst.parse_module = timed("libcst parse (selected code)", cst.parse_module)  # type: ignore[assignment]
    api.lint_module = timed("walk, rules, positions, fixes", api.lint_module)  # type: ignore[assignment]
    kept = total = 0
    real_parse = originals[3]

    def counting_parse(text: str, *args: object, **kwargs: object) -> object:
        nonlocal kept
        kept += len(text.splitlines())
        return real_parse(text, *args, **kwargs)  # type: ignore[operator]

    cst.parse_module = timed("libcst parse (selected code)", counting_parse)  # type: ignore[assignment]
    settings = Settings()
    rules = enabled_rules(settings)
    chosen = random.Random(0).sample(list(files), min(sample, len(files)))
    start = time.perf_counter()
    for path in chosen:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        total += len(text.splitlines())
        api.lint_source(text, path, settings, rules=rules, project_pass=False)
    spent["total"] = time.perf_counter() - start
    api.python_tree, api.could_match, api.select, cst.parse_module, api.lint_module = originals  # type: ignore[assignment]
    spent["lines"] = total
    spent["lines handed to libcst (share)"] = kept / total if total else 0.0
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fixit-files", type=int, default=200)
    parser.add_argument("--profile-files", type=int, default=400)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    files = [line for line in (args.corpus / "files.txt").read_text().splitlines() if line]
    lines = line_count(files)
    work = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    cache = work / "cache"
    tool = [str(BIN / "timeoutlint"), "check", "--isolated", "--exit-zero", "--cache-dir", str(cache)]

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    rows: Dict[str, Dict[str, float]] = {}
    rows["ruff --select ASYNC,S113"] = median_of(
        [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero", "--select", "ASYNC,S113", *files], work, args.repeat
    )
    rows["cold, --jobs 2"] = median_of([*tool, "--jobs", "2", *files], work, args.repeat, clear)
    rows["warm (all cached)"] = median_of([*tool, "--jobs", "2", *files], work, args.repeat)
    rows["cold, --jobs 1"] = median_of([*tool, "--jobs", "1", *files], work, 1, clear)
    rows["bandit -t B113"] = median_of([str(BIN / "bandit"), "-q", "-t", "B113", *files], work, 1)
    subset = files[: args.fixit_files]
    fixit = median_of([str(BIN / "fixit"), "lint", *subset], work, 1)
    fixit["wall"] *= lines / max(line_count(subset), 1)  # scaled to the whole corpus
    rows["fixit (scaled from a subset)"] = fixit

    project = precommit_project(args.corpus, work)
    if project is not None:
        hook = [str(BIN / "timeoutlint"), "check", "--exit-zero", "--jobs", "2"]
        subprocess.run([*hook, "."], cwd=project, capture_output=True, timeout=3600)  # fill the cache
        sources = sorted(project.rglob("*.py"), key=lambda p: p.stat().st_size)
        large, small = sources[-10:], sources[len(sources) // 2]

        def touch(paths: Sequence[Path]) -> Callable[[], None]:
            def change() -> None:
                for path in paths:
                    with open(path, "a", encoding="utf-8") as handle:
                        handle.write(f"# changed {time.time_ns()}\n")

            return change

        relative = [str(p.relative_to(project)) for p in large]
        rows["pre-commit, 10 large files"] = median_of([*hook, *relative], project, args.repeat, touch(large))
        rows["pre-commit, 1 small file"] = median_of([*hook, str(small.relative_to(project))], project, args.repeat, touch([small]))

    ruff = rows["ruff --select ASYNC,S113"]["wall"]
    print(f"corpus: {len(files)} files, {lines:,} lines ({args.corpus}); median of {args.repeat}")
    print(f"{'run':34} {'wall s':>8} {'x Ruff':>8} {'peak RSS MB':>12}  target")
    for name, row in rows.items():
        print(f"{name:34} {row['wall']:8.2f} {row['wall'] / ruff:8.1f} {row['rss_mb']:12.0f}  {TARGETS.get(name, '')}")
    bandit = rows["bandit -t B113"]["wall"] / rows["cold, --jobs 2"]["wall"]
    print(f"timeoutlint cold is {bandit:.1f}x faster than Bandit -t B113")
    print(f"\nwhere a cold run's CPU goes ({args.profile_files} files, one process):")
    spent = profile(files, args.profile_files)
    total = spent.pop("total")
    sample_lines = spent.pop("lines")
    share = spent.pop("lines handed to libcst (share)")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:36} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print(f"  {'total':36} {total:7.2f} s  ({1000 * total / max(sample_lines, 1):.2f} CPU-s per 1,000 lines)")
    print(f"  lines handed to libcst: {100 * share:.0f} % of {sample_lines:,}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "profile": spent, "libcst_share": share}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
