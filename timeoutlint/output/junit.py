"""``junit``: JUnit XML, one ``testsuite`` named timeoutlint with a failing ``testcase`` per
finding and an erroring one per file that could not be checked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from timeoutlint.output.report import Report
from timeoutlint.output.style import plural

SUITE = "timeoutlint"
# Characters XML 1.0 cannot carry at all, even escaped (ElementTree would write them as is).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(report: Report) -> str:
    diagnostics = report.sorted_diagnostics()
    errors = report.sorted_errors()
    suite = ET.Element("testsuite", name=SUITE)
    for diag in diagnostics:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_clean(diag.path),
            name=f"{diag.code} at {diag.line}:{diag.column}",
            file=_clean(diag.path),
            line=str(diag.line),
        )
        failure = ET.SubElement(case, "failure", message=_clean(diag.message), type=diag.code)
        failure.text = _clean(f"{diag.path}:{diag.line}:{diag.column}: {diag.code} {diag.message}")
    for error in errors:
        case = ET.SubElement(suite, "testcase", classname=_clean(error.path), name="error", file=_clean(error.path))
        element = ET.SubElement(case, "error", message=_clean(error.message), type="error")
        element.text = _clean(error.describe())
    if not diagnostics and not errors:
        # An empty report reads as "no tests ran" in CI dashboards: say that all passed.
        ET.SubElement(suite, "testcase", classname=SUITE, name=f"{plural(report.files_checked, 'file')} checked")
    counts = {
        "tests": str(len(suite)),
        "failures": str(len(diagnostics)),
        "errors": str(len(errors)),
        "skipped": "0",
    }
    suite.attrib.update(counts)
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
