"""`python -m hiplevel.sim OUT_DIR -e walking:reps=20 ...` (same as `hiplevel simulate`)."""

import sys

from hiplevel.sim.cli import main

sys.exit(main())
