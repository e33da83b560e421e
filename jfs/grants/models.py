"""jfs.grants: see docs/finance.md."""
