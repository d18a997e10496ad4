"""Fix round-trip on a corpus (SPEC §8): on a copy, ``--fix --unsafe-fixes`` must leave
every file compiling, a second run must find nothing fixable, and every changed line must
lie where a fix said it would edit.

usage: python benchmarks/roundtrip.py CORPUS_DIR   (CORPUS_DIR/files.txt lists the files)
Exits 1 when any check fails, printing the offending files.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

TOOL = [sys.executable, "-m", "timeoutlint", "check", "--no-cache", "--exit-zero", "--unsafe-fixes"]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(TOOL + args, cwd=cwd, capture_output=True, text=True, timeout=7200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    files = [Path(line) for line in (args.corpus / "files.txt").read_text().splitlines() if line]
    work = Path(tempfile.mkdtemp(prefix="tl-roundtrip-"))
    config = work / "timeoutlint.toml"
    config.write_text("default-timeout = 30\n")
    copies = []
    for index, source in enumerate(files):
        target = work / "src" / f"{index:05d}_{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copies.append(target)
    before = {path: path.read_bytes() for path in copies}

    report = json.loads(run(["--config", str(config), "--output-format", "json", "src"], work).stdout)
    edited_lines: dict[str, set[int]] = {}
    for diagnostic in report["diagnostics"]:
        fix = diagnostic["fix"]
        if fix and fix["applicability"] in ("safe", "unsafe"):
            lines = edited_lines.setdefault(str(work / diagnostic["path"]), set())
            for edit in fix["edits"]:
                lines.update(range(edit["line"], edit["end_line"] + 1))
    print(f"{len(report['diagnostics'])} findings, {len(report['errors'])} errors before fixing")

    run(["--config", str(config), "--fix", "src"], work)
    problems = []
    changed = 0
    for path in copies:
        after = path.read_bytes()
        if after == before[path]:
            continue
        changed += 1
        text = after.decode("utf-8", "surrogateescape")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(after, str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            problems.append(f"{path}: does not compile after fixing: {exc}")
        old = before[path].decode("utf-8", "surrogateescape").splitlines()
        allowed = edited_lines.get(str(path), set())
        matcher = difflib.SequenceMatcher(a=old, b=text.splitlines(), autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag == "equal":
                continue
            touched = set(range(i1 + 1, i2 + 1)) or {i1 + 1, i1}
            if not touched & allowed:
                problems.append(f"{path}: lines {i1 + 1}-{i2} changed outside any fix")
    again = json.loads(run(["--config", str(config), "--output-format", "json", "src"], work).stdout)
    fixable = [d for d in again["diagnostics"] if d["fix"] and d["fix"]["applicability"] in ("safe", "unsafe")]
    for diagnostic in fixable:
        problems.append(f"{diagnostic['path']}:{diagnostic['line']}: still fixable after --fix ({diagnostic['code']})")
    print(f"{changed} files changed by --fix --unsafe-fixes; {len(problems)} problems")
    for problem in problems:
        print(problem)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
