"""The PySide6 window. It calls the services and nothing below them."""
