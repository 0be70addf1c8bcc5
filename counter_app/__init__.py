"""Quầy Một Cửa: the reception desk of a one-stop administrative counter."""

__version__ = "0.1.0"
