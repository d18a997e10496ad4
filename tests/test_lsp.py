"""``timeoutlint server``: a real LSP client (pytest-lsp) drives the real server process over
stdio: initialize, didOpen, publishDiagnostics, codeAction, codeAction/resolve, didChange,
didClose, didChangeWatchedFiles, shutdown. Edits the server sends are applied here, by the
client's rules (UTF-16 or UTF-8 columns), and the result is compared with the code
expected, written out by hand."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, cast

import pytest

if os.environ.get("CI"):
    import pytest_lsp  # CI installs '.[test]': a missing pytest-lsp must fail there, not skip
else:
    pytest_lsp = pytest.importorskip("pytest_lsp", reason="needs the test extra: pip install -e '.[test]'")

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from timeoutlint.lsp.columns import Columns, units

TIMEOUT = 60  # seconds for any one answer of the server (a slow CI machine, not a budget)
DOCS = "https://github.com/timeoutlint/timeoutlint/blob/main/docs/rules/"
CONFIG = "[tool.timeoutlint]\ndefault-timeout = 30\n"

SAMPLE = '''\
import subprocess
import time


def run(cmd):
    start = time.time()
    subprocess.run(cmd)
    if time.time() - start > 5:
        raise TimeoutError("slow")
    subprocess.run(cmd, timeout=None)
'''
SAFE_FIXED = SAMPLE.replace("time.time()", "time.monotonic()")
WHOLE = types.Range(start=types.Position(0, 0), end=types.Position(10**6, 0))
# A change of a range of the text (lsprotocol renamed the class in 2024).
PartialChange = getattr(types, "TextDocumentContentChangePartial", None) or getattr(
    types, "TextDocumentContentChangeEvent_Type1"
)


# -- the client -----------------------------------------------------------------------------


@dataclass
class Records:
    """What the client heard from the server, beyond what pytest-lsp keeps."""

    published: List[types.PublishDiagnosticsParams] = field(default_factory=list)  # with versions
    registrations: List[types.Registration] = field(default_factory=list)
    initialized: Optional[types.InitializeResult] = None


def records(client: LanguageClient) -> Records:
    found: Records = getattr(client, "timeoutlint_records")
    return found


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics and every capability
    the server registers (in its ``Records``)."""
    client = pytest_lsp.make_test_lsp_client()
    kept = Records()
    setattr(client, "timeoutlint_records", kept)
    features = client.protocol.fm.features
    store = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        store(params)
        kept.published.append(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        kept.registrations.extend(params.registrations)

    return client


@pytest.fixture
def client_options() -> dict[str, Any]:
    """How the client differs from VS Code's capabilities (tests parametrize this):
    ``encodings`` it offers, ``resolve=False`` for no codeAction/resolve support."""
    return {}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Two project folders: ``alpha`` asks for every rule, ``beta`` ignores TL303."""
    for name, extra in (("alpha", ""), ("beta", 'ignore = ["TL303"]\n')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(CONFIG + extra, encoding="utf-8")
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "timeoutlint", "server"], client_factory=make_client)
)
async def client(lsp_client: LanguageClient, workspace: Path, client_options: dict):
    # pytest-lsp 0.4 calls issubclass() on every annotation here: classes only, no return type.
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    if "encodings" in client_options:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=client_options["encodings"])
    if client_options.get("resolve") is False:
        assert capabilities.text_document is not None and capabilities.text_document.code_action is not None
        capabilities.text_document.code_action.resolve_support = None
    folders = [types.WorkspaceFolder(uri=(workspace / name).as_uri(), name=name) for name in ("alpha", "beta")]
    records(lsp_client).initialized = await asyncio.wait_for(
        lsp_client.initialize_session(
            types.InitializeParams(capabilities=capabilities, root_uri=workspace.as_uri(), workspace_folders=folders)
        ),
        TIMEOUT,
    )
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


async def published(client: LanguageClient, uri: str, version: Optional[int]) -> List[types.Diagnostic]:
    """The diagnostics the server publishes for ``uri`` at ``version`` (waiting for them)."""

    async def poll() -> types.PublishDiagnosticsParams:
        while True:
            for params in reversed(records(client).published):
                if params.uri == uri and params.version == version:
                    return params
            await asyncio.sleep(0.02)

    return list((await asyncio.wait_for(poll(), TIMEOUT)).diagnostics)


async def next_published(client: LanguageClient, count: int) -> types.PublishDiagnosticsParams:
    """The first publishDiagnostics after the ``count`` heard so far (waiting for it)."""

    async def poll() -> types.PublishDiagnosticsParams:
        while len(records(client).published) <= count:
            await asyncio.sleep(0.02)
        return records(client).published[count]

    return await asyncio.wait_for(poll(), TIMEOUT)


async def registered(client: LanguageClient) -> List[types.Registration]:
    """The capabilities the server registered (it asks right after ``initialized``)."""

    async def poll() -> List[types.Registration]:
        while not records(client).registrations:
            await asyncio.sleep(0.02)
        return records(client).registrations

    return await asyncio.wait_for(poll(), TIMEOUT)


def open_document(client: LanguageClient, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    return uri


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Replace the whole text (the server syncs incrementally: a range covering it all)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[PartialChange(range=WHOLE, text=text)],
        )
    )


async def code_actions(
    client: LanguageClient, uri: str, where: types.Range, only: Optional[Sequence[str]] = None
) -> List[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=where,
        context=types.CodeActionContext(diagnostics=[], only=list(only) if only else None),
    )
    answer = await asyncio.wait_for(client.text_document_code_action_async(params), TIMEOUT)
    actions = list(answer or [])
    assert all(isinstance(action, types.CodeAction) for action in actions)
    return cast(List[types.CodeAction], actions)


# -- applying edits as a client does ----------------------------------------------------------


def offset_of(text: str, position: types.Position, encoding: str = "utf-16") -> int:
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    count = 0
    for index, char in enumerate(line.rstrip("\r\n")):
        if count >= position.character:
            return start + index
        count += units(char, encoding)
    return start + len(line.rstrip("\r\n"))


def edits_of(action: types.CodeAction, uri: str) -> List[types.TextEdit]:
    """The text edits of an action, which must all be for ``uri``."""
    assert action.edit is not None and action.edit.changes is not None and list(action.edit.changes) == [uri]
    return list(action.edit.changes[uri])


def apply_edit(text: str, action: types.CodeAction, uri: str, encoding: str = "utf-16") -> str:
    spans = [
        (offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e.new_text)
        for e in edits_of(action, uri)
    ]
    for start, end, new_text in sorted(spans, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def span(diagnostic: types.Diagnostic) -> tuple[int, int, int, int]:
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def by_code(diagnostics: Sequence[types.Diagnostic], code: str) -> List[types.Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def titled(actions: Sequence[types.CodeAction], test: Callable[[str], bool]) -> types.CodeAction:
    matching = [a for a in actions if test(a.title)]
    assert len(matching) == 1, [a.title for a in actions]
    return matching[0]


# -- diagnostics ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_open_publishes_findings_with_codes_ranges_and_docs_links(client: LanguageClient, workspace: Path) -> None:
    initialized = records(client).initialized
    assert initialized is not None and initialized.server_info is not None
    assert initialized.server_info.name == "timeoutlint"
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    diagnostics = await published(client, uri, 1)
    assert [(d.code, span(d)) for d in diagnostics] == [
        ("TL402", (5, 12, 5, 23)),  # start = time.time()
        ("TL303", (6, 4, 6, 23)),  # subprocess.run(cmd)
        ("TL402", (7, 7, 7, 18)),  # if time.time() - start > 5
        ("TL305", (9, 24, 9, 36)),  # timeout=None
    ]
    for d in diagnostics:
        assert d.source == "timeoutlint"
        assert d.severity == types.DiagnosticSeverity.Warning
        assert d.code_description is not None and d.code_description.href.startswith(f"{DOCS}{d.code}-")
    (described,) = [d.code_description for d in by_code(diagnostics, "TL303")]
    assert described is not None and described.href == f"{DOCS}TL303-subprocess-without-timeout.md"
    assert "no timeout" in by_code(diagnostics, "TL303")[0].message


@pytest.mark.asyncio
async def test_change_save_and_close(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    assert len(await published(client, uri, 1)) == 4
    change_document(client, uri, 2, "import subprocess\n\nsubprocess.run(['ls'], timeout=5)\n")
    assert await published(client, uri, 2) == []
    change_document(client, uri, 3, "import subprocess\n\n\nsubprocess.call(['ls'])\n")
    assert [(d.code, span(d)) for d in await published(client, uri, 3)] == [("TL303", (3, 0, 3, 23))]
    count = len(records(client).published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    saved = await next_published(client, count)
    assert (saved.version, [d.code for d in saved.diagnostics]) == (3, ["TL303"])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await published(client, uri, None) == []


@pytest.mark.asyncio
async def test_a_burst_of_changes_ends_on_the_last_version(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    await published(client, uri, 1)
    for version in range(2, 12):
        change_document(client, uri, version, SAMPLE + "\n" * version)
    change_document(client, uri, 12, "import subprocess\nsubprocess.run(['ls'])\n")
    assert [d.code for d in await published(client, uri, 12)] == ["TL303"]
    versions = [p.version or 0 for p in records(client).published if p.uri == uri]
    assert versions == sorted(versions) and versions[-1] == 12  # nothing stale after the newest


@pytest.mark.asyncio
@pytest.mark.parametrize("client_options", [{"encodings": ["utf-16"]}])
async def test_columns_count_utf16_units_after_non_ascii_text(
    client: LanguageClient, workspace: Path, client_options: Dict[str, Any]
) -> None:
    # "🎉" is one code point (one timeoutlint column) but two UTF-16 units; "é" one of each.
    text = 'import subprocess\nlabel = "🎉é"; subprocess.run(["ls"])\n'
    uri = open_document(client, workspace / "alpha" / "app.py", text)
    (diagnostic,) = await published(client, uri, 1)
    start = len('label = "🎉é"; ') + 1
    assert span(diagnostic) == (1, start, 1, start + len('subprocess.run(["ls"])'))
    actions = await code_actions(client, uri, diagnostic.range)
    fix = titled(actions, lambda title: title.endswith("(unsafe)"))
    assert apply_edit(text, fix, uri) == 'import subprocess\nlabel = "🎉é"; subprocess.run(["ls"], timeout=30)\n'
    noqa = titled(actions, lambda title: title == "Suppress TL303 with # noqa")
    assert apply_edit(text, noqa, uri) == 'import subprocess\nlabel = "🎉é"; subprocess.run(["ls"])  # noqa: TL303\n'


@pytest.mark.asyncio
@pytest.mark.parametrize("client_options", [{"encodings": ["utf-8"]}])
async def test_columns_count_utf8_bytes_when_the_client_asks(
    client: LanguageClient, workspace: Path, client_options: Dict[str, Any]
) -> None:
    initialized = records(client).initialized
    assert initialized is not None and initialized.capabilities.position_encoding == "utf-8"
    text = 'import subprocess\nlabel = "🎉é"; subprocess.run(["ls"])\n'
    uri = open_document(client, workspace / "alpha" / "app.py", text)
    (diagnostic,) = await published(client, uri, 1)
    start = len('label = "🎉é"; '.encode())
    assert span(diagnostic) == (1, start, 1, start + len('subprocess.run(["ls"])'))
    fix = titled(await code_actions(client, uri, diagnostic.range), lambda title: title.endswith("(unsafe)"))
    assert apply_edit(text, fix, uri, "utf-8").endswith('subprocess.run(["ls"], timeout=30)\n')


@pytest.mark.asyncio
async def test_syntax_error_is_one_error_and_the_server_lives_on(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "alpha" / "broken.py", "import subprocess\ndef f(:\n    subprocess.run(x)\n")
    (error,) = await published(client, uri, 1)
    assert error.severity == types.DiagnosticSeverity.Error and error.source == "timeoutlint"
    assert error.range.start.line == 1 and "SyntaxError" in error.message
    change_document(client, uri, 2, "import subprocess\ndef f(x):\n    subprocess.run(x)\n")
    assert [d.code for d in await published(client, uri, 2)] == ["TL303"]
    assert await code_actions(client, uri, WHOLE, only=[types.CodeActionKind.SourceFixAll]) == []


@pytest.mark.asyncio
async def test_untitled_document_gets_the_default_settings(client: LanguageClient) -> None:
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SAMPLE)
        )
    )
    assert [d.code for d in await published(client, uri, 1)] == ["TL402", "TL303", "TL402", "TL305"]


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_each_folder_has_its_own_config(client: LanguageClient, workspace: Path) -> None:
    alpha = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    assert [d.code for d in await published(client, alpha, 1)] == ["TL402", "TL303", "TL402", "TL305"]
    beta = open_document(client, workspace / "beta" / "app.py", SAMPLE)
    assert [d.code for d in await published(client, beta, 1)] == ["TL402", "TL402", "TL305"]
    # A subfolder with its own config (timeoutlint.toml wins over pyproject.toml above it).
    (workspace / "beta" / "sub").mkdir()
    (workspace / "beta" / "sub" / "timeoutlint.toml").write_text('select = ["TL305"]\n', encoding="utf-8")
    nested = open_document(client, workspace / "beta" / "sub" / "app.py", SAMPLE)
    assert [d.code for d in await published(client, nested, 1)] == ["TL305"]


@pytest.mark.asyncio
async def test_config_changes_are_picked_up(client: LanguageClient, workspace: Path) -> None:
    (registration,) = await registered(client)
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options  # JSON as sent (pygls 2) or an attribute object (pygls 1)
    watchers = options["watchers"] if isinstance(options, dict) else getattr(options, "watchers")
    globs = [w["globPattern"] if isinstance(w, dict) else getattr(w, "globPattern") for w in watchers]
    assert globs == ["**/.timeoutlint.toml", "**/timeoutlint.toml", "**/pyproject.toml"]
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    assert len(await published(client, uri, 1)) == 4
    config = workspace / "alpha" / "pyproject.toml"
    count = len(records(client).published)
    config.write_text(CONFIG + 'ignore = ["TL4"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)])
    )
    relinted = await next_published(client, count)
    assert (relinted.uri, relinted.version, [d.code for d in relinted.diagnostics]) == (uri, 1, ["TL303", "TL305"])
    # Without a notification, the next lint sees the file changed all the same.
    config.write_text(CONFIG + 'ignore = ["TL3"]\n', encoding="utf-8")
    change_document(client, uri, 2, SAMPLE + "\n")
    assert [d.code for d in await published(client, uri, 2)] == ["TL402", "TL402"]


@pytest.mark.asyncio
async def test_bad_config_is_one_error_naming_the_key(client: LanguageClient, workspace: Path) -> None:
    (workspace / "alpha" / "pyproject.toml").write_text("[tool.timeoutlint]\nignor = ['TL303']\n", encoding="utf-8")
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    (error,) = await published(client, uri, 1)
    assert error.severity == types.DiagnosticSeverity.Error
    assert "pyproject.toml" in error.message and "ignor" in error.message


@pytest.mark.asyncio
async def test_excluded_file_gets_no_findings(client: LanguageClient, workspace: Path) -> None:
    (workspace / "alpha" / "pyproject.toml").write_text(CONFIG + 'extend-exclude = ["generated/"]\n', encoding="utf-8")
    (workspace / "alpha" / "generated").mkdir()
    uri = open_document(client, workspace / "alpha" / "generated" / "app.py", SAMPLE)
    assert await published(client, uri, 1) == []


# -- code actions -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quick_fixes_safe_preferred_unsafe_labelled_display_only_absent(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    diagnostics = await published(client, uri, 1)
    wall_clock = by_code(diagnostics, "TL402")[0]
    actions = await code_actions(client, uri, wall_clock.range)
    safe = titled(actions, lambda title: title.startswith("TL402:"))
    assert safe.title == "TL402: Use `time.monotonic()`"
    assert safe.kind == types.CodeActionKind.QuickFix and safe.is_preferred
    assert safe.diagnostics is not None and [d.code for d in safe.diagnostics] == ["TL402"]
    assert apply_edit(SAMPLE, safe, uri) == SAFE_FIXED
    assert [e.new_text for e in edits_of(safe, uri)] == ["monotonic", "monotonic"]

    unsafe = titled(await code_actions(client, uri, by_code(diagnostics, "TL303")[0].range), lambda t: t.startswith("TL303:"))
    assert unsafe.title.endswith("(unsafe)") and not unsafe.is_preferred
    fixed = apply_edit(SAMPLE, unsafe, uri)
    assert fixed == SAMPLE.replace("    subprocess.run(cmd)\n", "    subprocess.run(cmd, timeout=30)\n")
    change_document(client, uri, 2, fixed)
    assert [d.code for d in await published(client, uri, 2)] == ["TL402", "TL402", "TL305"]

    infinite = by_code(await published(client, uri, 2), "TL305")[0]
    titles = [a.title for a in await code_actions(client, uri, infinite.range, only=["quickfix"])]
    assert titles == ["Suppress TL305 with # noqa"]  # its fix is display-only: never offered


@pytest.mark.asyncio
async def test_noqa_action_adds_or_extends_the_comment(client: LanguageClient, workspace: Path) -> None:
    text = SAMPLE.replace("    subprocess.run(cmd)\n", "    subprocess.run(cmd)  # noqa: E501\n")
    uri = open_document(client, workspace / "alpha" / "app.py", text)
    diagnostics = await published(client, uri, 1)
    actions = await code_actions(client, uri, by_code(diagnostics, "TL303")[0].range)
    noqa = titled(actions, lambda title: title == "Suppress TL303 with # noqa")
    assert noqa.kind == types.CodeActionKind.QuickFix and not noqa.is_preferred
    (edit,) = edits_of(noqa, uri)
    assert edit.new_text == ", TL303" and span_of(edit.range) == (6, 37, 6, 37)
    merged = apply_edit(text, noqa, uri)
    assert "    subprocess.run(cmd)  # noqa: E501, TL303\n" in merged
    change_document(client, uri, 2, merged)
    assert [d.code for d in await published(client, uri, 2)] == ["TL402", "TL402", "TL305"]

    first = by_code(diagnostics, "TL402")[0]
    noqa = titled(await code_actions(client, uri, first.range), lambda title: title.startswith("Suppress"))
    (edit,) = edits_of(noqa, uri)
    assert edit.new_text == "  # noqa: TL402"
    assert "    start = time.time()  # noqa: TL402\n" in apply_edit(merged, noqa, uri)


@pytest.mark.asyncio
async def test_noqa_goes_where_a_comment_can_end_the_line(client: LanguageClient, workspace: Path) -> None:
    text = 'import subprocess\nsubprocess.run(["sh", "-c", """\necho hi"""])\n'
    uri = open_document(client, workspace / "alpha" / "app.py", text)
    (finding,) = await published(client, uri, 1)
    noqa = titled(await code_actions(client, uri, finding.range), lambda title: title.startswith("Suppress"))
    suppressed = apply_edit(text, noqa, uri)
    assert suppressed == 'import subprocess\nsubprocess.run(["sh", "-c", """\necho hi"""])  # noqa: TL303\n'
    change_document(client, uri, 2, suppressed)
    assert await published(client, uri, 2) == []


def span_of(where: types.Range) -> tuple[int, int, int, int]:
    return (where.start.line, where.start.character, where.end.line, where.end.character)


@pytest.mark.asyncio
async def test_fix_all_resolves_to_the_safe_fixes(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    await published(client, uri, 1)
    (action,) = await code_actions(client, uri, WHOLE, only=[types.CodeActionKind.SourceFixAll])
    assert action.title == "Fix all safe timeoutlint problems" and action.kind == "source.fixAll.timeoutlint"
    assert action.edit is None  # this client resolves edits: computed on codeAction/resolve
    resolved = await asyncio.wait_for(client.code_action_resolve_async(action), TIMEOUT)
    assert apply_edit(SAMPLE, resolved, uri) == SAFE_FIXED  # the unsafe TL303 fix is not applied
    change_document(client, uri, 2, SAFE_FIXED)
    assert [d.code for d in await published(client, uri, 2)] == ["TL303", "TL305"]
    assert await code_actions(client, uri, WHOLE, only=["source.fixAll"]) == []  # nothing safe left
    assert all(a.kind == types.CodeActionKind.QuickFix for a in await code_actions(client, uri, WHOLE, only=["quickfix"]))


@pytest.mark.asyncio
@pytest.mark.parametrize("client_options", [{"resolve": False}])
async def test_fix_all_carries_its_edit_for_clients_that_cannot_resolve(
    client: LanguageClient, workspace: Path, client_options: Dict[str, Any]
) -> None:
    uri = open_document(client, workspace / "alpha" / "app.py", SAMPLE)
    await published(client, uri, 1)
    actions = await code_actions(client, uri, WHOLE)
    fix_all = titled(actions, lambda title: title == "Fix all safe timeoutlint problems")
    assert apply_edit(SAMPLE, fix_all, uri) == SAFE_FIXED
    assert sorted(a.title for a in actions if a is not fix_all) == [
        "Suppress TL303 with # noqa",
        "Suppress TL305 with # noqa",
        "Suppress TL402 with # noqa",
        "Suppress TL402 with # noqa",
        "TL303: Pass `timeout=30` (the configured default-timeout) (unsafe)",
        "TL402: Use `time.monotonic()`",  # one action for the two findings the fix covers
    ]


# -- without pygls ----------------------------------------------------------------------------


def test_server_without_pygls_exits_2_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from timeoutlint.cli import main

    monkeypatch.setitem(sys.modules, "pygls", None)  # makes `import pygls...` fail
    for name in [name for name in sys.modules if name.startswith("timeoutlint.lsp")]:
        monkeypatch.delitem(sys.modules, name)
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert "pip install 'timeoutlint[lsp]'" in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- the pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "expected"), [("utf-16", (0, 8)), ("utf-8", (0, 11)), ("utf-32", (0, 7))])
def test_columns(encoding: str, expected: tuple[int, int]) -> None:
    columns = Columns("x = '🎉é' + y\nz\n", encoding)
    assert columns.position(1, 8) == expected  # code-point column 8: just after "x = '🎉é"
    assert columns.position(2, 1) == (1, 0)
    assert columns.position(3, 1) == (2, 0)  # the empty line after the last newline
    assert columns.position(9, 9) == (2, 0)  # past the end: clamped to it
