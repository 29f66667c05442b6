"""Datasette configuration for the archive: metadata.json and the plugin module.

`pressarchive serve` loads both; a user can read them here, or use them with
Datasette directly: `datasette -m metadata.json --plugins-dir pressarchive/datasette`.
"""

from pathlib import Path

METADATA_PATH = Path(__file__).with_name("metadata.json")
# The database name metadata.json is written for; serve renames it to the archive's.
METADATA_DATABASE = "pressarchive"

__all__ = ["METADATA_DATABASE", "METADATA_PATH"]
