"""Privacy: redaction of what participants type; consent, export, erasure and retention."""

from bot.privacy.redact import Finding, Redacted, Redactor

__all__ = ["Finding", "Redacted", "Redactor"]
