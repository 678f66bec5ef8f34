"""valuelearn: learn what people value from what they do and say, and check what was learned."""

__version__ = "0.1.0"
