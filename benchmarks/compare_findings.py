"""Findings of this checkout against those of another revision, on a corpus, every rule on.

An engine change must not change what is found: every finding (code, place, message, fix
edits) must be the same. Error entries are compared too; the ones only this checkout
reports are listed (a syntax error in a file the old engine never parsed is expected).

usage: python benchmarks/compare_findings.py --corpus DIR --base REV
Exits 1 when a finding differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Set, Tuple

REPO = Path(__file__).resolve().parent.parent


def findings(files: list, pythonpath: Optional[Path]) -> Tuple[Set[str], Set[str]]:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "out.json"
        env = dict(os.environ)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        command = [sys.executable, "-m", "timeoutlint", "check", "--isolated", "--exit-zero", "--no-cache"]
        subprocess.run([*command, "--output-format", "json", "-o", str(out), *files], env=env, cwd=work, check=True, timeout=7200)
        data = json.loads(out.read_text())
    return (
        {json.dumps(item, sort_keys=True) for item in data["diagnostics"]},
        {json.dumps(item, sort_keys=True) for item in data["errors"]},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--base", required=True, help="the revision to compare with")
    args = parser.parse_args()
    files = [line for line in (args.corpus / "files.txt").read_text().splitlines() if line]
    with tempfile.TemporaryDirectory() as checkout:
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", checkout, args.base], check=True, capture_output=True, timeout=600)
        try:
            base, base_errors = findings(files, Path(checkout))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", checkout], capture_output=True, timeout=600)
    here, here_errors = findings(files, None)
    print(f"findings: {len(base)} at {args.base}, {len(here)} here; errors: {len(base_errors)} there, {len(here_errors)} here")
    for item in sorted(base - here):
        print("- only at base:", item)
    for item in sorted(here - base):
        print("+ only here:  ", item)
    for item in sorted(base_errors - here_errors):
        print("- error only at base:", item)
    for item in sorted(here_errors - base_errors):
        print("+ error only here:  ", item)
    return 1 if base != here else 0


if __name__ == "__main__":
    sys.exit(main())
