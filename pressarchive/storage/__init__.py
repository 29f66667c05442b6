"""The SQLite archive: schema and migrations, writes, the "already archived?"
index, search, the WARC files of raw responses, and exports."""
