"""`python -m ads.cli`: the same as the `ads` command."""

import sys

from ads.cli import main

if __name__ == "__main__":
    sys.exit(main())
