"""Start the sourced web app from a checkout: ``python app.py [--data-dir DIR] [--host H] [--port P]``.

The app lives in the package (:mod:`assistant.ui.app`); ``sourced serve`` starts the same thing.
"""

from assistant.ui.app import main

if __name__ == "__main__":
    main()
