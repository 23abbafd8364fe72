"""The web side of Wegwijs: one ASGI application for Telegram's webhook and the staff dashboard."""
