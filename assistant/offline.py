"""The environment that keeps every library off the network (model hubs, telemetry).

Call :func:`use_offline_env` before importing gradio, transformers or chromadb; importing
``assistant`` itself loads none of them.

Example:
    >>> import os
    >>> use_offline_env()
    >>> os.environ["HF_HUB_OFFLINE"]
    '1'
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def use_offline_env(*, override: bool = False) -> None:
    """Set the offline variables; with ``override`` even where the caller set them otherwise."""
    for key, value in OFFLINE_ENV.items():
        if override:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)
