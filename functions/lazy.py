"""Modules loaded on first use, so that `import app` (every cold start) does not pay for PyNamoDB
and the services behind routes the request does not touch."""
from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands in for a module until an attribute is first read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


def modules(package: str, *names: str) -> Any:
    """`modules("functions.meetings", "decisions", "minutes")` → lazy stand-ins, in that order."""
    found = tuple(LazyModule(f"{package}.{name}") for name in names)
    return found[0] if len(found) == 1 else found
