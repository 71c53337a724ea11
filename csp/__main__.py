"""``python -m csp``: the same entry point as the ``csp`` console script."""

import sys

from csp.cli import main

if __name__ == "__main__":
    sys.exit(main())
