"""Wall time of timeoutlint (cold and cached) beside Ruff and Fixit on one corpus.

Each tool runs as a subprocess on the same list of files; the best of ``--repeat`` runs is
reported, with lines per second. Fixit is run on a subset (``--fixit-files``) because it is
two orders of magnitude slower; its rate is what compares.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def run(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    return time.perf_counter() - started


def best(command: list[str], cwd: Path, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        times.append(run(command, cwd))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fixit-files", type=int, default=300)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    files = [line for line in (args.corpus / "files.txt").read_text().splitlines() if line]
    lines = sum(sum(1 for _ in open(f, "rb")) for f in files)
    work = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    listing = work / "files.txt"
    listing.write_text("\n".join(files))
    cache = work / "cache"

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    timeoutlint = [str(BIN / "timeoutlint"), "check", "--isolated", "--exit-zero", "--cache-dir", str(cache), *files]
    results = {
        "files": len(files),
        "lines": lines,
        "timeoutlint (cold)": best(timeoutlint, work, args.repeat, clear_cache),
        "timeoutlint (cached)": best(timeoutlint, work, args.repeat),
        "timeoutlint (cold, --jobs 1)": best([*timeoutlint, "--jobs", "1"], work, 1, clear_cache),
        "ruff --select ASYNC,S113": best(
            [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero", "--select", "ASYNC,S113", *files],
            work,
            args.repeat,
        ),
    }
    subset = files[: args.fixit_files]
    subset_lines = sum(sum(1 for _ in open(f, "rb")) for f in subset)
    fixit_time = best([str(BIN / "fixit"), "lint", *subset], work, 1)
    results["fixit (subset)"] = fixit_time
    results["fixit subset lines"] = subset_lines

    print(f"corpus: {len(files)} files, {lines} lines ({args.corpus})")
    for name, value in results.items():
        if isinstance(value, float):
            count = subset_lines if "fixit" in name else lines
            print(f"{name:32} {value:8.2f} s  {count / value:12,.0f} lines/s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
