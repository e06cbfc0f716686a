"""Database backends of fanzha (Django ENGINE paths under fanzha.core.db)."""
