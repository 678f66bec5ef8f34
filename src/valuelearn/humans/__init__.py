"""humans stage (see ARCHITECTURE.md)."""
