"""An asyncio service with the timeout mistakes timeoutlint finds in async code."""

import asyncio
import time


async def notify_all(hooks):
    # One hook that never answers hangs this, and whoever awaits it, forever.
    await asyncio.gather(*(hook() for hook in hooks))


async def with_retries(call):
    for attempt in range(3):
        try:
            return await call()
        except ConnectionError:
            # Blocks the event loop: every other task stalls while this one backs off.
            time.sleep(2**attempt)
    raise ConnectionError("gave up after 3 attempts")
