"""Doctests under index/, assistant/ and evaluation/ run offline too (tests/conftest.py does the rest)."""

from assistant.offline import use_offline_env

use_offline_env(override=True)
