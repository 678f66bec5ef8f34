"""representation stage (see ARCHITECTURE.md)."""
