"""`python -m bot` is the `cluster-journey` command."""

import sys

from bot.cli import main

sys.exit(main())
