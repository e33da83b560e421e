"""jfs.recovery: bail money lost when the released person absconds, and its recovery (docs/recovery.md)."""
