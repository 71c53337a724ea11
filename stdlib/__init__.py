"""csp's Go standard library: one module per Go package.

``load_all()`` imports every module of this package; importing a package
module builds its ``Package`` and registers it in
``stdlib.registry.PACKAGES``.  Idempotent: Python caches imports, so each
module registers once.  Helper modules (registry, fmtcore, fmtnum) are
imported too, which is harmless.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every stdlib module so each package registers itself."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
