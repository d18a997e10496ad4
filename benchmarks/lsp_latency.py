"""How long `timeoutlint server` takes from a didChange to the publishDiagnostics for it.

Starts the server over stdio (a plain JSON-RPC client here, no pygls needed), opens a
generated Python file of ``--lines`` lines (clients, retries, threads, pools and async code,
with the timeouts right, and every ``--bad-every`` blocks a function with four findings), then makes ``--changes`` edits one after
another, each a small incremental change as typing makes, and waits for the diagnostics of
that version before the next. Prints the median (and spread) of the time per change, next
to what ``lint_source`` alone takes on the same text in this process.

usage: python benchmarks/lsp_latency.py [--lines 2000] [--changes 25] [--bad-every 12] [--file PATH]
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

WAIT = 120.0  # seconds for any one answer before the benchmark gives up

HEADER = '''\
"""Jobs, workers and their HTTP client (generated for the LSP latency benchmark)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import requests

log = logging.getLogger(__name__)
POOL = ThreadPoolExecutor(max_workers=4)
'''

# One block per index: a dataclass, an HTTP client, a retry loop, a thread, a pool and an
# async fan-out, all with their timeouts right. {i} keeps names apart.
BLOCK = '''

@dataclass
class Job{i}:
    name: str
    retries: int = 3
    tags: List[str] = field(default_factory=list)
    result: Optional[Dict[str, str]] = None

    def describe(self) -> str:
        return f"{{self.name}} ({{self.retries}} retries, tags: {{', '.join(self.tags)}})"


class Client{i}:
    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {{token}}"

    def fetch(self, path: str) -> dict:
        response = self.session.get(f"{{self.base}}/{{path}}", timeout=10)
        response.raise_for_status()
        return response.json()

    def upload(self, path: str, payload: dict) -> int:
        response = self.session.post(f"{{self.base}}/{{path}}", json=payload, timeout=30)
        return response.status_code


def run_job_{i}(job: Job{i}, deadline: float) -> bool:
    start = time.monotonic()
    for attempt in range(job.retries):
        done = subprocess.run(["worker", job.name, str(attempt)], capture_output=True, timeout=deadline)
        if done.returncode == 0:
            job.result = {{"attempt": str(attempt)}}
            return True
        if time.monotonic() - start > deadline:
            log.warning("job %s gave up after %d attempts", job.name, attempt + 1)
            return False
        time.sleep(0.5 * (attempt + 1))
    return False


def start_worker_{i}(jobs: List[Job{i}]) -> None:
    worker = threading.Thread(target=lambda: [run_job_{i}(job, 30.0) for job in jobs], daemon=True)
    worker.start()
    worker.join(timeout=60)


def submit_all_{i}(jobs: List[Job{i}]) -> List[bool]:
    futures = [POOL.submit(run_job_{i}, job, 60.0) for job in jobs]
    return [future.result(timeout=90) for future in futures]


async def gather_all_{i}(client: Client{i}, paths: List[str]) -> List[dict]:
    loop = asyncio.get_running_loop()
    calls = [loop.run_in_executor(None, client.fetch, path) for path in paths]
    async with asyncio.timeout(20):
        return await asyncio.gather(*calls)
'''

# What goes wrong in real code, once in a while: a wall-clock deadline, an upload and a
# child process without a timeout, and a join that waits forever (TL402, TL304, TL303,
# TL302); the first two have fixes.
BAD = '''

def poll_{i}(client: Client{i}, job: Job{i}) -> bool:
    deadline = time.time() + 30
    while time.time() < deadline:
        if requests.post(f"{{client.base}}/poll", json={{"name": job.name}}).ok:
            subprocess.run(["notify", job.name])
            return True
    worker = threading.Thread(target=run_job_{i}, args=(job, 5.0))
    worker.start()
    worker.join()
    return False
'''


def generate(lines: int, bad_every: int) -> str:
    parts = [HEADER]
    index = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(BLOCK.format(i=index))
        if bad_every and index % bad_every == bad_every // 2:
            parts.append(BAD.format(i=index))
        index += 1
    return "".join(parts)


class Server:
    """A `timeoutlint server` child and a thread that reads its messages into a queue."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "timeoutlint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=cwd,
        )
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length is not None:
                self.messages.put(json.loads(stream.read(length)))

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=WAIT)
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")
            self._answer(message)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> List[Dict[str, Any]]:
        """Wait for the publishDiagnostics of ``uri`` at ``version``."""
        while True:
            message = self.messages.get(timeout=WAIT)
            params = message.get("params") or {}
            if message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri:
                if params.get("version") == version:
                    return params["diagnostics"]
            else:
                self._answer(message)

    def _answer(self, message: Dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request of the server's: say yes
            self.send({"id": message["id"], "result": None})

    def stop(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000, help="size of the generated file")
    parser.add_argument("--changes", type=int, default=25, help="how many didChange to time")
    parser.add_argument("--bad-every", type=int, default=12, help="a block with findings every N blocks (0: none)")
    parser.add_argument("--file", type=Path, help="time this file instead of a generated one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[tool.timeoutlint]\ndefault-timeout = 30\n", encoding="utf-8")
        text = args.file.read_text(encoding="utf-8") if args.file else generate(args.lines, args.bad_every)
        path = root / "jobs.py"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        in_process = _lint_alone(text, path)
        server = Server(root)
        try:
            server.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
            server.notify("initialized", {})
            started = time.perf_counter()
            server.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )
            found = server.diagnostics(uri, 1)
            opened = time.perf_counter() - started
            timings = []
            # Type a character into the module docstring, then delete it again, and so on.
            at = len(text.splitlines()[0]) - 3
            for version in range(2, args.changes + 2):
                typed = version % 2 == 0
                change = {"range": _span(at, at if typed else at + 1), "text": "x" if typed else ""}
                started = time.perf_counter()
                server.notify(
                    "textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
                )
                server.diagnostics(uri, version)
                timings.append(time.perf_counter() - started)
        finally:
            server.stop()
    lines = text.count("\n")
    codes = sorted({d["code"] for d in found})
    print(f"file: {lines} lines, {len(found)} findings ({', '.join(codes)})")
    print(f"lint_source alone (in this process, median of 5): {in_process * 1000:.0f} ms")
    print(f"didOpen -> publishDiagnostics: {opened * 1000:.0f} ms")
    print(
        f"didChange -> publishDiagnostics over {len(timings)} changes: median {statistics.median(timings) * 1000:.0f} ms"
        f" (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f})"
    )


def _span(start: int, end: int) -> Dict[str, Any]:
    """A range on the first line."""
    return {"start": {"line": 0, "character": start}, "end": {"line": 0, "character": end}}


def _lint_alone(text: str, path: Path) -> float:
    from timeoutlint.api import lint_source
    from timeoutlint.config import load_settings

    settings = load_settings(cwd=path.parent)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        lint_source(text, str(path), settings)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main()
