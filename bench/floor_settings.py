"""The registry's own settings (config.settings, read from the environment) with the floor's URLs added."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
