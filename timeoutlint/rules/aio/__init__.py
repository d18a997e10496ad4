"""The asyncio rules: gathers, waits and task groups without a bound (TL201, TL202), blocking
waits inside ``async def`` (TL203), and tasks left running after a timeout (TL204)."""
