"""The Justice Fund system's Django apps (one per bounded area)."""
