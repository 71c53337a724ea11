"""csp's Go standard library: one module per Go package.

``load_all()`` makes every package available in
``stdlib.registry.PACKAGES``; importing a package module builds its
``Package`` and registers it.  The modules are imported on demand: a
lookup of one import path imports that package's module, enumerating
PACKAGES imports them all (registry.PackageTable), so ``csp run`` pays
only for the packages a program imports.  Idempotent: Python caches
imports, so each module registers once.  Helper modules (registry, fmtcore,
fmtnum) are imported when everything is, which is harmless.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

# Import path -> module, where the module is not named after the path's
# last element ("math/rand" -> rand and "sync/atomic" -> atomic are).
_MODULE_OF_PATH = {"runtime": "runtime_pkg"}
_all_imported = False


def _import_all() -> None:
    global _all_imported
    if _all_imported:
        return
    _all_imported = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def _import_package(path: Optional[str]) -> None:
    """The registry's loader: the module of import path ``path``, or every
    module (None, or a path no module is named after)."""
    if path is None:
        _import_all()
        return
    name = _MODULE_OF_PATH.get(path, path.rsplit("/", 1)[-1])
    if name.isidentifier() and not name.startswith("_"):
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError:
            pass
    from stdlib.registry import PACKAGES
    if not dict.__contains__(PACKAGES, path):
        _import_all()  # e.g. a misspelt path: same (full) registry as before


def load_all() -> None:
    """Make every stdlib package available in PACKAGES (imported lazily)."""
    from stdlib.registry import set_loader
    set_loader(_import_package)
