"""The result cache key: content, settings, rules, module name and the linter's own code."""

from __future__ import annotations

import pytest

from timeoutlint import cache


def test_a_change_to_the_linter_code_is_a_cache_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.cache_key(b"import time\n", "settings", ["TL402"], "a.py", "a")
    monkeypatch.setattr(cache, "linter_digest", lambda: "another build of the rules")
    assert cache.cache_key(b"import time\n", "settings", ["TL402"], "a.py", "a") != before


def test_the_key_depends_on_content_settings_rules_and_module() -> None:
    base = (b"x = 1\n", "settings", ["TL402"], "a.py", "a")
    keys = {
        cache.cache_key(*base),
        cache.cache_key(b"x = 2\n", *base[1:]),
        cache.cache_key(base[0], "other settings", *base[2:]),
        cache.cache_key(*base[:2], ["TL303"], *base[3:]),
        cache.cache_key(*base[:4], "pkg.a"),
    }
    assert len(keys) == 5


def test_the_linter_digest_is_stable_within_a_build() -> None:
    assert cache.linter_digest() == cache.linter_digest()
