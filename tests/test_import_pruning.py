"""An import a fix left unused is removed, only when nothing else uses it (fix hygiene):
the fixed file passes Ruff's F401 and I001 when the original did."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from timeoutlint.api import fix_text
from timeoutlint.import_pruning import prune_unused_imports
from timeoutlint.settings import Settings

RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize(
    "before, after, expected",
    [
        pytest.param(
            "import os\nfrom concurrent.futures import ThreadPoolExecutor\n\nThreadPoolExecutor(os)\n",
            "import os\nfrom concurrent.futures import ThreadPoolExecutor\n\nrun(os)\n",
            "import os\n\nrun(os)\n",
            id="a-whole-line",
        ),
        pytest.param(
            "from concurrent.futures import ThreadPoolExecutor, wait\n\nwait(ThreadPoolExecutor())\n",
            "from concurrent.futures import ThreadPoolExecutor, wait\n\nwait(run())\n",
            "from concurrent.futures import wait\n\nwait(run())\n",
            id="one-name-of-several",
        ),
        pytest.param(
            "from concurrent.futures import wait, ThreadPoolExecutor\n\nwait(ThreadPoolExecutor())\n",
            "from concurrent.futures import wait, ThreadPoolExecutor\n\nwait(run())\n",
            "from concurrent.futures import wait\n\nwait(run())\n",
            id="the-last-name",
        ),
        pytest.param(
            "from concurrent.futures import (\n    ThreadPoolExecutor,\n    wait,  # why\n)\n\nwait(ThreadPoolExecutor())\n",
            "from concurrent.futures import (\n    ThreadPoolExecutor,\n    wait,  # why\n)\n\nwait(run())\n",
            "from concurrent.futures import (\n    wait,  # why\n)\n\nwait(run())\n",
            id="parenthesized",
        ),
        pytest.param(
            "import concurrent.futures as cf\n\ncf.ThreadPoolExecutor()\n",
            "import concurrent.futures as cf\n\nrun()\n",
            "run()\n",
            id="an-alias",
        ),
        pytest.param(
            "import os\n\n# pools\nfrom concurrent.futures import ThreadPoolExecutor\n\nThreadPoolExecutor(os)\n",
            "import os\n\n# pools\nfrom concurrent.futures import ThreadPoolExecutor\n\nrun(os)\n",
            "import os\n\n# pools\n\nrun(os)\n",
            id="its-comment-stays-blank-lines-are-not-doubled",
        ),
        pytest.param(
            "import os; import sys\n\nsys.exit(os)\n",
            "import os; import sys\n\nexit(os)\n",
            "import os\n\nexit(os)\n",
            id="one-of-two-statements-on-a-line",
        ),
        pytest.param(
            "from a import Used, Unused\n\nUsed()\n",
            "from a import Used, Unused\n\nother()\n",
            "from a import Unused\n\nother()\n",
            id="only-what-the-fix-orphaned",
        ),
        pytest.param(
            "#!/usr/bin/env python\n\nfrom concurrent.futures import ThreadPoolExecutor\n\nimport b\n\nThreadPoolExecutor(b)\n",
            "#!/usr/bin/env python\n\nfrom concurrent.futures import ThreadPoolExecutor\n\nimport b\n\nrun(b)\n",
            "#!/usr/bin/env python\n\nimport b\n\nrun(b)\n",
            id="the-first-statement",
        ),
    ],
)
def test_an_import_the_fix_orphaned_goes(before: str, after: str, expected: str) -> None:
    assert prune_unused_imports(before, after, "m.py") == expected


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(
            "from a import Unused, Used\n\nUsed()\n",
            "from a import Unused, Used\n\nUsed(1)\n",
            id="never-used-before-is-not-the-fixes-doing",
        ),
        pytest.param(
            "from concurrent.futures import ThreadPoolExecutor\n\nThreadPoolExecutor()\nThreadPoolExecutor()\n",
            "from concurrent.futures import ThreadPoolExecutor\n\nrun()\nThreadPoolExecutor()\n",
            id="still-used",
        ),
        pytest.param(
            "from concurrent.futures import ThreadPoolExecutor\n\n__all__ = ['ThreadPoolExecutor']\nThreadPoolExecutor()\n",
            "from concurrent.futures import ThreadPoolExecutor\n\n__all__ = ['ThreadPoolExecutor']\nrun()\n",
            id="named-in-a-string",
        ),
        pytest.param(
            "from concurrent.futures import ThreadPoolExecutor\n\nx = ThreadPoolExecutor()\n",
            "from concurrent.futures import ThreadPoolExecutor\n\nx = run()  # was: ThreadPoolExecutor\n",
            id="named-in-a-comment",
        ),
        pytest.param(
            "import a.b\n\na.b.c()\n",
            "import a.b\n\na.b.d()\n",
            id="a-dotted-import-still-used",
        ),
        pytest.param(
            "def f():\n    from x import y\n    return y()\n",
            "def f():\n    from x import y\n    return z()\n",
            id="a-function-level-import",
        ),
        pytest.param(
            "from __future__ import annotations\n\nx: annotations\n",
            "from __future__ import annotations\n\nx: int\n",
            id="a-future-import",
        ),
    ],
)
def test_an_import_stays(before: str, after: str) -> None:
    assert prune_unused_imports(before, after, "m.py") == after


def test_a_packages_init_keeps_its_imports() -> None:
    before = "from .pools import ThreadPoolExecutor\n\nThreadPoolExecutor()\n"
    after = "from .pools import ThreadPoolExecutor\n\nrun()\n"
    assert prune_unused_imports(before, after, "pkg/__init__.py") == after


SLOT = (
    "from concurrent.futures import ThreadPoolExecutor\n\n\n"
    "class Slot:\n"
    "    def receive(self, message):\n"
    "        with ThreadPoolExecutor(max_workers=1) as ex:\n"
    "            return ex.submit(self.handler, message).result(timeout=self.timeout)\n"
)


def test_the_tl103_rewrite_leaves_a_file_ruff_accepts(tmp_path: Path) -> None:
    settings = Settings(select=("TL103",), unsafe_fixes=True)
    outcome = fix_text(SLOT, "slot.py", settings)
    assert outcome.source == (
        "from timeoutlint.runtime import run_with_timeout\n\n\n"
        "class Slot:\n"
        "    def receive(self, message):\n"
        "        return run_with_timeout(self.handler, message, timeout=self.timeout)\n"
    )
    for text in (SLOT, outcome.source):
        (tmp_path / "slot.py").write_text(text, encoding="utf-8")
        result = subprocess.run(
            [str(RUFF), "check", "--isolated", "--select", "F401,I001", "--quiet", "slot.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert fix_text(outcome.source, "slot.py", settings).source == outcome.source
