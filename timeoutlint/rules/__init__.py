"""The rule families, one module each; every module in this package is imported so that
its rule classes register themselves (no list to keep in sync)."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
