"""jfs.recovery: see docs/finance.md."""
