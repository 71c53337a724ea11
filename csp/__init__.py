"""csp: an educational interpreter for Go-style concurrency.

This package is the command line (``csp.cli``); the language lives in
``lang``, the virtual machine in ``runtime`` and the Go packages in
``stdlib``.  ``__version__`` is the single source of the version number:
pyproject.toml reads it from here.
"""

__version__ = "0.1.0"
