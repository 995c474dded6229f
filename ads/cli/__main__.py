"""`python -m ads.cli`: the same as the `ads` command."""

import sys

from ads.cli import main

sys.exit(main())
