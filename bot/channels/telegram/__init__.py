"""The Telegram channel on python-telegram-bot 22: the only package that imports `telegram`."""
