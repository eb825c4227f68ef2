"""``python -m photoorg.engine.cli`` runs the console script."""

import sys

from . import main

sys.exit(main())
