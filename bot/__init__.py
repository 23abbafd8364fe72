"""Wegwijs: a multilingual guide through Dutch digital government for statushouders."""
