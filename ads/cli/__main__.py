"""`python -m ads.cli`: the same as the `ads` command."""

import sys

from ads.cli import main

if __name__ == "__main__":  # importing the module (a test walking the package) runs nothing
    sys.exit(main())
