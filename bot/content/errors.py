"""The one error a bad content file raises: which file, which field, what is wrong."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class ContentError(Exception):
    """A content file is missing, unreadable or does not match its schema."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = Path(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: {field or '(file)'}: {message}")

    @classmethod
    def from_validation(cls, path: Path | str, error: ValidationError) -> ContentErrors:
        """One ContentError per pydantic error, so every problem in a file is reported at once."""
        errors = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "(file)"
            errors.append(cls(path, field, item["msg"]))
        return ContentErrors(errors)


class ContentErrors(Exception):
    """Several content errors found in one pass."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
