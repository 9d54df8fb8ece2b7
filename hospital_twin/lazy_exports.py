"""Package namespaces whose names are imported on first use.

``hospital_twin.jobs`` and ``hospital_twin.reports`` are imported inside notebook kernels
that need one light module of theirs; importing every public name eagerly would make each
kernel pay for papermill, RQ and Redis.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]
                 ) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` for ``package`` serving each name of
    ``exports`` (name → module defining it) from its module, imported when first asked."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(exports[name]), name)

    return sorted(exports), __getattr__
