"""Template tags of the online applications (the staff case page's "filed online" lines)."""
