"""Ordo's settings with the bare Django view of bench/ceiling.py served beside the API."""

from ordo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling"
