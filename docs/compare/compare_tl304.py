"""Run timeoutlint (TL304, and TL305 for the explicit forever), Ruff (S113) and Bandit
(B113) on docs/compare/tl304_cases.py and write docs/tl304-compared.md and
docs/compare/tl304_results.json from what they report.

    pip install -e '.[compare]'
    python docs/compare/compare_tl304.py

The tools are looked for next to the running Python (a venv's bin/) and then on PATH.
Nothing in the page is typed by hand but the prose: the verdicts come from the tools' JSON
output, the ground truth from SHOULD_FLAG in the cases file.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
CASES = HERE / "tl304_cases.py"
RESULTS = HERE / "tl304_results.json"
PAGE = REPO_ROOT / "docs" / "tl304-compared.md"
CASES_REL = CASES.relative_to(REPO_ROOT).as_posix()
REGENERATE = "pip install -e '.[compare]' && python docs/compare/compare_tl304.py"
TIMEOUT = 300  # seconds for one tool run: each takes about a second

CASE_RE = re.compile(r"^# case (\d+): (.+)$")
TOOLS = ("timeoutlint", "ruff", "bandit")
TL_CODES = ("TL304", "TL305")  # TL305: an explicit timeout=None, which S113/B113 report too
TITLES = {"timeoutlint": "timeoutlint TL304 + TL305", "ruff": "Ruff S113", "bandit": "Bandit B113"}
NAMES = {"timeoutlint": "timeoutlint", "ruff": "Ruff", "bandit": "Bandit"}


# -- the cases -------------------------------------------------------------------------------


def read_cases(path: Path = CASES) -> Tuple[Dict[int, str], Dict[int, Tuple[int, int]], Dict[int, Tuple[bool, str]]]:
    """What each case is, the lines it spans (from its comment to the line before the next
    case's), and the ground truth ``SHOULD_FLAG``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts: List[Tuple[int, int, str]] = []
    for number, line in enumerate(lines, start=1):
        match = CASE_RE.match(line)
        if match:
            starts.append((int(match.group(1)), number, match.group(2).strip()))
    what = {case: text for case, _, text in starts}
    spans = {}
    for index, (case, first, _) in enumerate(starts):
        last = starts[index + 1][1] - 1 if index + 1 < len(starts) else len(lines)
        spans[case] = (first, last)
    truth = None
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SHOULD_FLAG" for t in node.targets):
            truth = ast.literal_eval(node.value)
    if truth is None:
        raise SystemExit(f"{path}: no SHOULD_FLAG dict")
    if set(truth) != set(what) or len(starts) != len(what):
        raise SystemExit(f"{path}: SHOULD_FLAG and the `# case N:` comments disagree (or a case number repeats)")
    return what, spans, {case: (bool(flag), reason) for case, (flag, reason) in truth.items()}


def case_of(line: int, spans: Dict[int, Tuple[int, int]]) -> Optional[int]:
    for case, (first, last) in spans.items():
        if first <= line <= last:
            return case
    return None


# -- running the tools -----------------------------------------------------------------------


def find_tool(name: str) -> Optional[str]:
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def run(command: Sequence[str], ok: Sequence[int] = (0, 1)) -> str:
    result = subprocess.run(list(command), cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def version(executable: str) -> str:
    """The first line of ``TOOL --version`` (Bandit's goes on with the Python version)."""
    return run([executable, "--version"], ok=(0,)).strip().splitlines()[0].strip()


def commands(executables: Dict[str, str]) -> Dict[str, List[List[str]]]:
    timeoutlint = [executables["timeoutlint"], "check", "--isolated", "--output-format", "json", "--no-cache"]
    return {
        "timeoutlint": [
            [*timeoutlint[:3], "--select", code, *timeoutlint[3:], CASES_REL] for code in TL_CODES
        ],
        "ruff": [[executables["ruff"], "check", "--select", "S113", "--output-format", "json", "--no-cache", "--isolated", CASES_REL]],
        "bandit": [[executables["bandit"], "-t", "B113", "-f", "json", CASES_REL]],
    }


@dataclass
class Finding:
    line: int
    code: str
    message: str
    case: int = 0


@dataclass
class Comparison:
    what: Dict[int, str]  # case -> what it is
    truth: Dict[int, Tuple[bool, str]]  # case -> (should flag, why)
    versions: Dict[str, str]
    commands: Dict[str, List[str]]
    findings: Dict[str, List[Finding]]

    def flagged(self) -> Dict[str, List[int]]:
        """Tool -> the cases it flags; also "timeoutlint TL304" and "timeoutlint TL305"."""
        flagged = {tool: sorted({f.case for f in self.findings[tool]}) for tool in TOOLS}
        for code in TL_CODES:
            flagged[f"timeoutlint {code}"] = sorted({f.case for f in self.findings["timeoutlint"] if f.code == code})
        return flagged

    def results(self) -> Dict[str, Any]:
        """What tl304_results.json holds."""
        return {
            "cases_file": CASES_REL,
            "versions": self.versions,
            "commands": self.commands,
            "should_flag": sorted(case for case, (flag, _) in self.truth.items() if flag),
            "flagged": self.flagged(),
            "findings": {tool: [asdict(f) for f in found] for tool, found in self.findings.items()},
        }


def findings(tool: str, output: str) -> List[Finding]:
    """The findings in a tool's JSON output (their case still unknown)."""
    data = json.loads(output)
    if tool == "timeoutlint":
        if data["errors"]:
            raise SystemExit(f"timeoutlint reported errors: {data['errors']}")
        return [Finding(d["line"], d["code"], d["message"]) for d in data["diagnostics"]]
    if tool == "ruff":
        return [Finding(d["location"]["row"], d["code"], d["message"]) for d in data]
    if data.get("errors"):
        raise SystemExit(f"bandit reported errors: {data['errors']}")
    return [Finding(d["line_number"], d["test_id"], d["issue_text"]) for d in data["results"]]


def collect() -> Comparison:
    executables = {}
    for tool in TOOLS:
        found = find_tool(tool)
        if found is None:
            install = "pip install -e ." if tool == "timeoutlint" else "pip install -e '.[compare]'"
            raise SystemExit(f"{tool} not found next to {sys.executable} or on PATH: run `{install}` first")
        executables[tool] = found
    what, spans, truth = read_cases()
    raw: Dict[str, List[Finding]] = {}
    for tool, runs in commands(executables).items():
        raw[tool] = []
        for command in runs:
            for finding in findings(tool, run(command)):
                case = case_of(finding.line, spans)
                if case is None:
                    raise SystemExit(f"{tool}: a finding outside every case: {finding}")
                finding.case = case
                raw[tool].append(finding)
        raw[tool].sort(key=lambda f: (f.line, f.code))
    return Comparison(
        what=what,
        truth=truth,
        versions={tool: version(executables[tool]) for tool in TOOLS},
        commands={tool: [_display(c) for c in runs] for tool, runs in commands(executables).items()},
        findings=raw,
    )


def _display(command: Sequence[str]) -> str:
    """The command as a reader would type it: the tool's bare name, not its venv path."""
    return " ".join([Path(command[0]).name, *command[1:]])


# -- the page --------------------------------------------------------------------------------


def score(flagged: Sequence[int], truth: Dict[int, Tuple[bool, str]]) -> Dict[str, int]:
    hits = set(flagged)
    return {
        "tp": sum(1 for c, (flag, _) in truth.items() if flag and c in hits),
        "fn": sum(1 for c, (flag, _) in truth.items() if flag and c not in hits),
        "fp": sum(1 for c, (flag, _) in truth.items() if not flag and c in hits),
        "tn": sum(1 for c, (flag, _) in truth.items() if not flag and c not in hits),
    }


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.0f}%" if whole else "n/a"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def verdict(case: int, should: bool, hits: Set[int], codes: Sequence[str] = ()) -> str:
    if case in hits:
        label = "flagged" + (f" ({', '.join(codes)})" if codes else "")
        return f"{label} ✔" if should else f"{label} ✘ false positive"
    return "✘ missed" if should else "not flagged ✔"


def render(comparison: Comparison) -> str:
    what, truth, versions, cmds = comparison.what, comparison.truth, comparison.versions, comparison.commands
    flagged = comparison.flagged()
    tl_codes: Dict[int, List[str]] = {}
    for finding in comparison.findings["timeoutlint"]:
        codes = tl_codes.setdefault(finding.case, [])
        if finding.code not in codes:
            codes.append(finding.code)
    lines = [
        "<!-- Generated by `python docs/compare/compare_tl304.py`: edit that script or docs/compare/tl304_cases.py, not this file. -->",
        "",
        "# TL304 compared with Ruff S113 and Bandit B113",
        "",
        "timeoutlint's [TL304 (network-call-without-timeout)](rules/TL304-network-call-without-timeout.md), "
        "Ruff's [S113 (request-without-timeout)](https://docs.astral.sh/ruff/rules/request-without-timeout/) and "
        "Bandit's [B113 (request_without_timeout)](https://bandit.readthedocs.io/en/latest/plugins/b113_request_without_timeout.html) "
        "look for the same bug: a network call that can wait forever because nothing bounds how long it waits. "
        f"The three were run on the same file, [`{CASES_REL}`](compare/{CASES.name}), "
        f"{len(truth)} short cases, each a function under a `# case N:` comment; a finding belongs to the case whose lines it falls in. "
        "Whether a case *should* be flagged (the ground truth, with its reason) is the `SHOULD_FLAG` dict at the top of that file; "
        "\"debatable\" marks the cases a careful reviewer could score the other way.",
        "",
        "Tool versions:",
        "",
        *[f"- {NAMES[tool]}: `{versions[tool]}`" for tool in TOOLS],
        "",
        "Commands (run from the repository root):",
        "",
        "```sh",
        *[command for tool in TOOLS for command in cmds[tool]],
        "```",
        "",
        "timeoutlint reports an explicit `timeout=None` under its own code, TL305 (explicit-infinite-timeout), "
        "where Ruff and Bandit report it under S113/B113; so timeoutlint's column counts the findings of both "
        "rules and says which one fired. TL305 reports nothing else in this file.",
        "",
        f"Regenerate this page (and [`docs/compare/{RESULTS.name}`](compare/{RESULTS.name}), the raw findings) with `{REGENERATE}`.",
        "",
        "## Case by case",
        "",
        "| Case | What | Should flag? | timeoutlint TL304 (+ TL305) | Ruff S113 | Bandit B113 |",
        "|---:|---|---|---|---|---|",
    ]
    hits = {tool: set(flagged[tool]) for tool in TOOLS}
    for case in sorted(truth):
        should, reason = truth[case]
        cells = [
            verdict(case, should, hits["timeoutlint"], tl_codes.get(case, ())),
            verdict(case, should, hits["ruff"]),
            verdict(case, should, hits["bandit"]),
        ]
        lines.append(
            f"| {case} | {_cell(what[case])} | {'yes' if should else 'no'}: {_cell(reason)} | " + " | ".join(cells) + " |"
        )
    positives = sum(1 for flag, _ in truth.values() if flag)
    lines += [
        "",
        f"✔ correct, ✘ missed (a real problem not reported), ✘ false positive (reported, but not a problem). "
        f"{positives} of the {len(truth)} cases should be flagged, {len(truth) - positives} should not.",
        "",
        "## Totals",
        "",
        *totals(flagged, truth),
        "",
        "Recall: the share of the real problems a tool reports. Precision: the share of its findings that are real problems.",
        "",
    ]
    debatable = sorted(c for c, (_, reason) in truth.items() if reason.startswith("debatable"))
    if debatable:
        lines += [
            f"The same without the debatable cases ({', '.join(map(str, debatable))}), "
            "for a reader who would score them the other way:",
            "",
            *totals(flagged, {c: v for c, v in truth.items() if c not in debatable}),
            "",
        ]
    lines += [
        "## Where they differ",
        "",
    ]
    for tool in TOOLS:
        missed = [c for c in sorted(truth) if truth[c][0] and c not in hits[tool]]
        false = [c for c in sorted(truth) if not truth[c][0] and c in hits[tool]]
        lines.append(f"- {TITLES[tool]}: missed {_case_list(missed)}; false positives: {_case_list(false)}.")
    lines += [
        "",
        "Why, from the tools' documentation and source (this paragraph is written by hand; the lists above are not): "
        "Ruff and Bandit match a call by its name, resolved through the file's imports and aliases. "
        "Ruff takes the `requests.<verb>` functions and `requests.request`, but not `requests.api.<verb>`; "
        "Bandit takes any name whose first part is `requests` and whose last is an HTTP verb, so `requests.api.get` "
        "but not `requests.request`. Neither follows a `requests.Session` into a variable, an attribute or a "
        "function's return value, and neither looks at the standard library's clients; both report a call with "
        "`**kwargs`, which may carry the timeout. timeoutlint infers which values are sessions, covers the standard "
        "library, and deliberately leaves alone a session of a subclass of `requests.Session` that overrides "
        "`request()` or `send()` (where a default timeout is usually added) and a call with `**kwargs`; see "
        "[its rule page](rules/TL304-network-call-without-timeout.md).",
        "",
        "The cases were written by timeoutlint's authors to cover what each rule's documentation claims, so a "
        "perfect score here shows the claims hold, not that the rule is perfect on real code; the findings on a "
        "corpus of about a million lines of real Python are judged in the project's release notes.",
        "",
    ]
    return "\n".join(lines)


def _case_list(cases: Sequence[int]) -> str:
    if not cases:
        return "none"
    return ("case " if len(cases) == 1 else "cases ") + ", ".join(map(str, cases))


def totals(flagged: Dict[str, List[int]], truth: Dict[int, Tuple[bool, str]]) -> List[str]:
    lines = [
        "| Tool | True positives | False negatives | False positives | True negatives | Recall | Precision |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    scored = [(TITLES[tool], flagged[tool]) for tool in TOOLS]
    scored.insert(1, ("timeoutlint TL304 alone", flagged["timeoutlint TL304"]))
    for title, cases in scored:
        s = score(cases, truth)
        lines.append(
            f"| {title} | {s['tp']} | {s['fn']} | {s['fp']} | {s['tn']} | "
            f"{_ratio(s['tp'], s['tp'] + s['fn'])} | {_ratio(s['tp'], s['tp'] + s['fp'])} |"
        )
    return lines


def main() -> int:
    comparison = collect()
    results = comparison.results()
    for path, text in ((PAGE, render(comparison)), (RESULTS, json.dumps(results, indent=2, ensure_ascii=False) + "\n")):
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    print(f"wrote {PAGE.relative_to(REPO_ROOT)} and {RESULTS.relative_to(REPO_ROOT)}")
    for tool in TOOLS:
        print(f"{comparison.versions[tool]}: flags cases {results['flagged'][tool]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
