"""`python -m hiplevel` = the `hiplevel` command."""

import sys

from hiplevel.cli.main import main

sys.exit(main())
