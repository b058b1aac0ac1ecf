"""Storage: repositories behind named methods, and numbered SQL migrations."""
