"""For `scrapyd-deploy`, which builds the project's egg with `setup.py bdist_egg`:
everything is declared in pyproject.toml (including the `scrapy` entry point
that tells Scrapyd where the settings are)."""

from setuptools import setup

setup()
