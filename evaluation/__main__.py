"""``python -m evaluation GOLD.jsonl --corpus PATH ...`` (same as ``sourced eval``)."""

import sys

from evaluation.cli import main

sys.exit(main())
