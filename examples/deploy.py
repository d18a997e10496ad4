"""A small deployment script with the timeout mistakes timeoutlint finds.

Run `timeoutlint check examples/` to see them, `timeoutlint check examples/ --diff
--unsafe-fixes --config examples/timeoutlint.toml` to see the rewrites.
"""

import subprocess
import time


def fetch_sources(repo: str) -> None:
    # A hung `git fetch` (a credential prompt, a dead remote) blocks forever.
    subprocess.run(["git", "-C", repo, "fetch", "--all"], check=True)


def build(repo: str) -> str:
    return subprocess.check_output(["make", "-C", repo, "dist"], text=True)


def wait_until_healthy(probe, timeout: float = 30.0) -> None:
    # The wall clock can jump (NTP, a suspended VM): the deadline may never come,
    # or come at once.
    deadline = time.time() + timeout
    while time.time() < deadline:
        if probe():
            return
        time.sleep(0.5)
    raise TimeoutError("service did not become healthy")


def restart(service: str) -> None:
    proc = subprocess.Popen(["systemctl", "restart", service])
    proc.wait()


def release(repo: str, timeout: float = 600.0) -> None:
    # The same remaining-time bookkeeping, copied into every phase.
    remaining = timeout
    start = time.monotonic()
    subprocess.run(["make", "-C", repo, "test"], check=True, timeout=remaining)
    remaining -= time.monotonic() - start
    if remaining <= 0:
        raise TimeoutError("Timeout exceeded after test phase!")
    start = time.monotonic()
    subprocess.run(["make", "-C", repo, "upload"], check=True, timeout=remaining)
    remaining -= time.monotonic() - start
    if remaining <= 0:
        raise TimeoutError("Timeout exceeded after upload phase!")
