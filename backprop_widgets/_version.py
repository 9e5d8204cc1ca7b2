"""The kit's version, in one place (pyproject reads it; the picture's front end is named after it)."""

__version__ = "0.2.0"
