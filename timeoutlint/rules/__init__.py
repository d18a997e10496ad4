"""The rules, one package per family (``executors``, ``waits``, ``budgets``, ...), one module
per rule or close pair inside; every public module of every family is imported so that its
rule classes register themselves (no list to keep in sync). Modules whose name starts with
``_`` are the family's own helpers; what two families share lives in ``timeoutlint.analysis``."""

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
    if not _module.name.rpartition(".")[2].startswith("_"):
        importlib.import_module(_module.name)
