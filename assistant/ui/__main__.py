"""``python -m assistant.ui [--data-dir DIR] [--host H] [--port P]`` (same as ``sourced serve``)."""

from assistant.ui.app import main

main()
