"""Authentication (API tokens) and the one authorization policy."""
