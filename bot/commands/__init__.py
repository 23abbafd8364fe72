"""Sub-commands of `wegwijs`; each module has `register(subparsers)` and imports lazily."""
