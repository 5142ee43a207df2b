"""``python -m assistant.evaluation GOLD.jsonl --corpus PATH ...`` (same as ``sourced eval``)."""

import sys

from assistant.evaluation.cli import main

sys.exit(main())
