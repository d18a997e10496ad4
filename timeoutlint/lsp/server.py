"""The Language Server: LSP methods wired to a :class:`~timeoutlint.lsp.session.Session`.

Diagnostics are published on ``didOpen``, ``didChange`` and ``didSave`` and cleared on
``didClose``; ``textDocument/codeAction`` offers fixes, ``# noqa`` suppressions and a
``source.fixAll.timeoutlint`` action; config files are watched where the client allows
dynamic registration (and checked for changes on every lint anyway).

Works with pygls 1.3 and 2.x: the one difference that matters here, how to send a
message to the client, goes through the protocol object both have (``protocol`` on 2.x,
``lsp`` on 1.x)."""

from __future__ import annotations

import logging
import os
from typing import Any, List, Optional

from lsprotocol import types

from timeoutlint import __version__
from timeoutlint.lsp.actions import KINDS
from timeoutlint.lsp.linting import PYTHON_SUFFIXES, Snapshot, document_path
from timeoutlint.lsp.session import Session, folder_of
from timeoutlint.lsp.workspace_settings import CONFIG_NAMES

try:  # pygls 2
    from pygls.lsp.server import LanguageServer
except ImportError:  # pygls 1
    from pygls.server import LanguageServer  # type: ignore[no-redef,attr-defined]

logger = logging.getLogger(__name__)
WATCHERS = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]


def _protocol(server: Any) -> Any:
    return getattr(server, "protocol", None) or server.lsp


def _get(value: Any, dotted: str) -> Any:
    """An optional field of nested client capabilities (None if any step is missing)."""
    for name in dotted.split("."):
        value = getattr(value, name, None)
    return value


def _is_python(uri: str, language_id: Optional[str]) -> bool:
    path = document_path(uri)
    return language_id == "python" or (path is not None and path.endswith(PYTHON_SUFFIXES))


def create_server() -> Any:
    server = LanguageServer("timeoutlint", __version__)

    def snapshot(uri: str) -> Snapshot:
        document = server.workspace.get_text_document(uri)
        encoding = server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return Snapshot(uri, document.version, document.source, str(getattr(encoding, "value", encoding)), folder_of(server.workspace.root_path))

    def publish(uri: str, version: Optional[int], diagnostics: List[types.Diagnostic]) -> None:
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        _protocol(server).notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    session = Session(snapshot, publish)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        if not _get(server.client_capabilities, "workspace.did_change_watched_files.dynamic_registration"):
            return
        registration = types.Registration(
            id="timeoutlint-config-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=WATCHERS),
        )
        future = _protocol(server).send_request(
            types.CLIENT_REGISTER_CAPABILITY, types.RegistrationParams(registrations=[registration])
        )
        # A refusal is no error: config files are checked for changes on every lint anyway.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(params: types.DidOpenTextDocumentParams) -> None:
        if _is_python(params.text_document.uri, params.text_document.language_id):
            session.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        session.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        if any(os.path.basename(document_path(change.uri) or "") in CONFIG_NAMES for change in params.changes):
            session.config_changed()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=True),
    )
    async def code_action(params: types.CodeActionParams) -> List[types.CodeAction]:
        properties = _get(server.client_capabilities, "text_document.code_action.resolve_support.properties")
        return await session.code_actions(params, resolve_later="edit" in (properties or ()))

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(params: types.CodeAction) -> types.CodeAction:
        return await session.resolve(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: Any) -> None:
        session.shutdown()

    return server


def serve() -> None:
    """Talk LSP on stdin/stdout until the client says ``exit``."""
    logging.basicConfig(level=logging.WARNING, format="timeoutlint server: %(levelname)s: %(message)s")
    create_server().start_io()
