"""`python -m behavior.bench`: the same as `behavior bench`."""

import sys

from behavior.bench.command import main

sys.exit(main())
