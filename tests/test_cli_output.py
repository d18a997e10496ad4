"""`timeoutlint check --output-format ...` (SPEC §6): each format produces its format
(JSON and XML parsed), --output-file, --exit-zero and --statistics."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cli_support import (  # noqa: F401  (project is a fixture)
    BAD,
    DEFAULT_TIMEOUT,
    LINE,
    MESSAGE,
    invoke,
    one_line_error,
    project,
    write,
)


# -- output formats -----------------------------------------------------------------------------


@pytest.fixture
def finding(project: Path) -> Path:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    return project


def test_output_format_text(finding: Path) -> None:
    result = invoke("check", "--output-format", "text")
    assert result.stdout.splitlines()[0] == LINE


def test_output_format_full(finding: Path) -> None:
    result = invoke("check", "--output-format", "full")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == LINE
    assert '2 | subprocess.run(["ls"])' in lines
    assert "  | ^^^^^^^^^^^^^^^^^^^^^^ TL303" in lines
    assert "  = help: Pass `timeout=30` (the configured default-timeout)" in lines
    assert lines[-1] == "Found 1 problem (1 more with --unsafe-fixes)."


def test_output_format_json(finding: Path) -> None:
    result = invoke("check", "--output-format", "json", "--unsafe-fixes")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert data["errors"] == []
    (diagnostic,) = data["diagnostics"]
    assert {k: diagnostic[k] for k in ("code", "name", "path", "line", "column", "end_line", "end_column")} == {
        "code": "TL303",
        "name": "subprocess-without-timeout",
        "path": "a.py",
        "line": 2,
        "column": 1,
        "end_line": 2,
        "end_column": 23,
    }
    assert diagnostic["message"] == MESSAGE
    assert diagnostic["url"].endswith("TL303-subprocess-without-timeout.md")
    assert diagnostic["fix"]["applicability"] == "unsafe"
    assert diagnostic["fix"]["edits"] == [
        {"line": 2, "column": 22, "end_line": 2, "end_column": 22, "content": ", timeout=30"}
    ]


def test_output_format_json_reports_errors(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "broken.py", "import subprocess\ndef f(:\n")
    data = json.loads(invoke("check", "--output-format", "json").stdout)
    assert [d["path"] for d in data["diagnostics"]] == ["a.py"]
    (error,) = data["errors"]
    assert error["path"] == "broken.py"
    assert "SyntaxError" in error["message"]


def test_output_format_sarif(finding: Path) -> None:
    result = invoke("check", "--output-format", "sarif")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["version"] == "2.1.0"
    (run_,) = data["runs"]
    assert run_["tool"]["driver"]["name"] == "timeoutlint"
    assert "TL303" in [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    (sarif_result,) = run_["results"]
    assert sarif_result["ruleId"] == "TL303"
    location = sarif_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a.py"
    assert location["region"]["startLine"] == 2


def test_output_format_github(finding: Path) -> None:
    result = invoke("check", "--output-format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::warning file=a.py,line=2,col=1,endLine=2,endColumn=23,title=TL303 (subprocess-without-timeout)::TL303 "
    )


def test_output_format_junit(finding: Path) -> None:
    result = invoke("check", "--output-format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    failures = root.findall(".//testcase/failure")
    assert [failure.get("type") for failure in failures] == ["TL303"]
    assert failures[0].get("message") == MESSAGE


def test_output_format_gitlab(finding: Path) -> None:
    result = invoke("check", "--output-format", "gitlab")
    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)
    assert issue["check_name"] == "TL303"
    assert issue["location"]["path"] == "a.py"
    assert issue["location"]["lines"]["begin"] == 2
    assert issue["fingerprint"] == json.loads(invoke("check", "--output-format", "gitlab").stdout)[0]["fingerprint"]


def test_bad_output_format_is_a_usage_error(finding: Path) -> None:
    line = one_line_error(invoke("check", "--output-format", "xml"))
    assert "'xml' is not one of" in line


def test_output_file(finding: Path) -> None:
    result = invoke("check", "--output-format", "json", "--output-file", "report.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    data = json.loads((finding / "report.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in data["diagnostics"]] == ["TL303"]
    short = invoke("check", "-o", "report.txt")
    assert short.stdout == ""
    assert (finding / "report.txt").read_text(encoding="utf-8").splitlines()[0] == LINE


def test_output_file_creates_missing_folders(finding: Path) -> None:
    result = invoke("check", "--output-file", "reports/lint/report.txt")
    assert result.exit_code == 1
    assert LINE in (finding / "reports" / "lint" / "report.txt").read_text(encoding="utf-8")


def test_output_file_that_cannot_be_written(finding: Path) -> None:
    (finding / "taken").write_text("a file, not a folder\n", encoding="utf-8")
    line = one_line_error(invoke("check", "--output-file", "taken/report.txt"))
    assert "report.txt" in line


# -- exit codes -----------------------------------------------------------------------------


def test_exit_zero(finding: Path) -> None:
    result = invoke("check", "--exit-zero")
    assert result.exit_code == 0
    assert LINE in result.stdout


def test_statistics(finding: Path) -> None:
    write(finding, "b.py", BAD + 'subprocess.call("x")\n')
    result = invoke("check", "--statistics")
    assert result.exit_code == 1
    assert result.stdout == "3\tTL303\tsubprocess-without-timeout\n"
    fixable = invoke("check", "--statistics", "--unsafe-fixes")
    assert fixable.stdout == "3\tTL303\t[*] subprocess-without-timeout\n"


def test_statistics_as_json(finding: Path) -> None:
    result = invoke("check", "--statistics", "--output-format", "json", "--unsafe-fixes")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{"code": "TL303", "name": "subprocess-without-timeout", "count": 1, "fixable": True}]
