"""The open documents of one client and their findings.

Every lint runs on one worker thread (the event loop stays free to read the client's
messages; timeoutlint's work is pure Python, so more threads would not lint faster).
Changes are coalesced rather than debounced: while a document is being linted, further
changes only mark it to be linted again, and a result that is stale by the time it is
ready is dropped, never published. So a burst of keystrokes costs at most one lint in
flight and one after it, and a pause costs no added delay."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Set

from lsprotocol import types

from timeoutlint.lsp.actions import code_actions, fix_all_edit, fix_all_uri
from timeoutlint.lsp.linting import Linted, Snapshot, lint_snapshot
from timeoutlint.lsp.workspace_settings import SettingsCache

logger = logging.getLogger(__name__)


class Session:
    def __init__(
        self,
        snapshot: Callable[[str], Snapshot],
        publish: Callable[[str, Optional[int], List[types.Diagnostic]], None],
    ) -> None:
        """``snapshot`` reads a document's current text; ``publish`` sends diagnostics."""
        self._snapshot = snapshot
        self._publish = publish
        self._settings = SettingsCache()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeoutlint-lint")
        self._open: Set[str] = set()
        self._results: Dict[str, Linted] = {}
        self._running: Set[str] = set()
        self._again: Set[str] = set()
        self._tasks: Set["asyncio.Future[Any]"] = set()
        self._last: Optional[Linted] = None  # the lint thread's last result

    # -- documents --------------------------------------------------------------------------

    def opened(self, uri: str) -> None:
        self._open.add(uri)
        self.changed(uri)

    def changed(self, uri: str) -> None:
        if uri not in self._open:
            return
        if uri in self._running:
            self._again.add(uri)
            return
        self._running.add(uri)
        task = asyncio.ensure_future(self._lint_until_current(uri))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def closed(self, uri: str) -> None:
        self._open.discard(uri)
        self._results.pop(uri, None)
        self._publish(uri, None, [])

    def config_changed(self) -> None:
        """A config file changed: forget the loaded settings (on the lint thread, which
        alone uses them) and lint every open document again."""
        self._executor.submit(self._forget)
        for uri in sorted(self._open):
            self.changed(uri)

    def _forget(self) -> None:
        self._settings.clear()
        self._last = None
        self._results.clear()

    async def _lint_until_current(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            while uri in self._open:
                self._again.discard(uri)
                snapshot = self._snapshot(uri)
                linted = await loop.run_in_executor(self._executor, self._lint, snapshot)
                if uri in self._again:
                    continue  # changed meanwhile: lint the newer text, publish nothing stale
                if uri in self._open:
                    self._results[uri] = linted
                    self._publish(uri, snapshot.version, linted.diagnostics)
                break
        except Exception:
            logger.exception("linting %s failed", uri)
        finally:
            self._running.discard(uri)

    # -- code actions -----------------------------------------------------------------------

    def _lint(self, snapshot: Snapshot) -> Linted:
        """Lint ``snapshot`` on the lint thread (always afresh: a save lints again, and
        sees a config file changed without the client saying so)."""
        self._last = lint_snapshot(snapshot, self._settings)
        return self._last

    def _linted(self, snapshot: Snapshot) -> Linted:
        """The lint of ``snapshot`` for a code action: the last one if it was of the same
        text (an action asked for right after a change waits for that change's lint
        instead of making its own)."""
        for linted in (self._last, self._results.get(snapshot.uri)):
            if linted is not None and linted.snapshot == snapshot:
                return linted
        return self._lint(snapshot)

    async def code_actions(self, params: types.CodeActionParams, resolve_later: bool) -> List[types.CodeAction]:
        uri = params.text_document.uri
        if uri not in self._open:
            return []
        snapshot = self._snapshot(uri)

        def build() -> List[types.CodeAction]:
            return code_actions(self._linted(snapshot), params, resolve_later)

        return await asyncio.get_running_loop().run_in_executor(self._executor, build)

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        uri = fix_all_uri(action)
        if uri is None or uri not in self._open:
            return action
        snapshot = self._snapshot(uri)

        def fill() -> types.CodeAction:
            action.edit = fix_all_edit(self._linted(snapshot))
            return action

        return await asyncio.get_running_loop().run_in_executor(self._executor, fill)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False)


def folder_of(root: Optional[str]) -> str:
    """Where a document that is no file takes its settings from: the workspace root."""
    return root if root and os.path.isdir(root) else os.getcwd()
