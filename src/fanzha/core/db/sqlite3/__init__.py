"""SQLite with a fair, prompt hand-over of the write lock between writers (see base.py)."""
