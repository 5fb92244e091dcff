"""`python -m cli ...` is the `hoyamu` command."""

import sys

from cli.main import main

sys.exit(main())
