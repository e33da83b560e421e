"""jfs.lawyers: see docs/finance.md."""
