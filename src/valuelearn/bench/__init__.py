"""bench stage (see ARCHITECTURE.md)."""
