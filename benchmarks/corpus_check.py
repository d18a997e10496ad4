"""The round trip on real code: nothing crashes, and no fix breaks or touches what it should not.

On a copy of the files (the originals are never written):

1. ``timeoutlint check`` gives no internal error (a crash in a rule is one, reported as an
   error entry beginning "internal error");
2. ``check --fix --unsafe-fixes`` (with ``default-timeout = 30``, so the fixes that need a
   value are made too) then leaves every changed file compiling, and changes no line
   outside the top-level statements that hold a fixable finding and the leading imports
   (where a fix adds or drops an import) — so the ``ast`` outside the fixed code is the
   same, byte for byte;
3. a second ``--fix`` finds nothing more to fix (``--diff`` is empty): fixing twice equals
   fixing once.

usage:
  python benchmarks/corpus_check.py --corpus DIR                # the shared corpus (files.txt)
  python benchmarks/corpus_check.py --site-packages             # this Python's site-packages
  python benchmarks/corpus_check.py --site-packages --sample 300 --seed 1   # what CI runs
Exit 1 when anything fails; every failure is listed.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Set, Tuple

CONFIG = "default-timeout = 30\n"  # timeoutlint.toml: the keys at top level


def _timeoutlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "timeoutlint", "check", "--no-cache", "--config", "timeoutlint.toml", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=7200)


def _site_packages_files() -> Tuple[Path, List[str]]:
    root = Path(sysconfig.get_paths()["purelib"])
    files = [str(p.relative_to(root)) for p in root.rglob("*.py") if "timeoutlint" not in p.parts[len(root.parts) :][:1]]
    return root, sorted(files)


def _corpus_files(corpus: Path) -> Tuple[Path, List[str]]:
    listed = (corpus / "files.txt").read_text(encoding="utf-8").splitlines()
    files = []
    for line in listed:
        path = Path(line)
        files.append(str(path.relative_to(corpus)) if path.is_absolute() else line)
    return corpus, [f for f in files if f]


def _copy(root: Path, files: List[str], into: Path) -> List[str]:
    copied = []
    for name in files:
        source = root / name
        target = into / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError:
            continue
        copied.append(name)
    (into / "timeoutlint.toml").write_text(CONFIG, encoding="utf-8")
    return copied


def _allowed_lines(text: str, fixable_lines: Set[int]) -> Set[int]:
    """The lines a fix may change: the top-level statements holding a fixable finding, and
    the module's leading imports (with the lines around them)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    allowed: Set[int] = set()
    body = tree.body
    last_import = 0
    for index, statement in enumerate(body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)) or (
            index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        ):
            last_import = statement.end_lineno or statement.lineno
        else:
            break
    allowed.update(range(1, last_import + 3))
    for statement in body:
        span = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        if fixable_lines.intersection(span):
            start = statement.lineno - len(getattr(statement, "decorator_list", []))
            allowed.update(range(start - 1, (statement.end_lineno or statement.lineno) + 2))
    return allowed


def _changed_lines(before: str, after: str) -> Set[int]:
    """Lines of ``before`` that were changed or removed, or next to which lines went in."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    changed: Set[int] = set()
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed.update(range(i1 + 1, i2 + 1) if i2 > i1 else {i1, i1 + 1})
    return changed


def _compiles(text: str, name: str) -> bool:
    try:
        compile(text, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def run(root: Path, files: List[str]) -> int:
    failures: List[str] = []
    with tempfile.TemporaryDirectory(prefix="timeoutlint-corpus-") as work:
        here = Path(work)
        files = _copy(root, files, here)
        originals: Dict[str, str] = {}
        for name in files:
            try:
                originals[name] = (here / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
        started = time.perf_counter()
        first = _timeoutlint("--output-format", "json", *files, cwd=here)
        if first.returncode == 2 or not first.stdout:
            print(first.stderr, file=sys.stderr)
            return 2
        report = json.loads(first.stdout)
        internal = [e for e in report["errors"] if e["message"].startswith("internal error")]
        failures += [f"internal error: {e['path']}: {e['message']}" for e in internal]
        fixable: Dict[str, Set[int]] = {}
        for diagnostic in report["diagnostics"]:
            if diagnostic["fix"] and diagnostic["fix"]["applicability"] != "display-only":
                fixable.setdefault(diagnostic["path"], set()).update(
                    range(diagnostic["line"], diagnostic["end_line"] + 1)
                )
        fixed_run = _timeoutlint("--fix", "--unsafe-fixes", "--exit-zero", *files, cwd=here)
        if fixed_run.returncode == 2:
            failures.append(f"--fix run exit 2: {fixed_run.stderr.strip()[:300]}")
        changed = 0
        for name, before in originals.items():
            try:
                after = (here / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                failures.append(f"{name}: unreadable after --fix: {exc}")
                continue
            if after == before:
                continue
            changed += 1
            if name not in fixable:
                failures.append(f"{name}: changed by --fix without a fixable finding")
            if _compiles(before, name) and not _compiles(after, name):
                failures.append(f"{name}: does not compile after --fix")
            outside = _changed_lines(before, after) - _allowed_lines(before, fixable.get(name, set()))
            if outside:
                failures.append(f"{name}: --fix changed lines outside the fixed statements: {sorted(outside)[:10]}")
        second = _timeoutlint("--diff", "--unsafe-fixes", *files, cwd=here)
        if second.stdout.strip():
            touched = sorted({line[6:] for line in second.stdout.splitlines() if line.startswith("+++ b/")})
            failures.append(f"a second --fix would change {len(touched)} files more: {touched[:10]}")
        took = time.perf_counter() - started
    lines = sum(text.count("\n") for text in originals.values())
    print(f"files: {len(files)} ({lines:,} lines); findings: {len(report['diagnostics'])}; errors: {len(report['errors'])} "
          f"({len(internal)} internal); fixed files: {changed}; failures: {len(failures)}; {took:.0f} s")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="a corpus folder with files.txt (../shared/corpus/get_corpus.sh)")
    source.add_argument("--site-packages", action="store_true", help="this Python's site-packages")
    parser.add_argument("--sample", type=int, help="check this many files, picked at random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root, files = _corpus_files(args.corpus) if args.corpus else _site_packages_files()
    if args.sample and args.sample < len(files):
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    return run(root, files)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
