"""Persistence, the only package that imports SQLAlchemy: SQLite by default, else PostgreSQL."""
