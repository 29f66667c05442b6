"""The `pressarchive` command line: one module per group of commands."""
