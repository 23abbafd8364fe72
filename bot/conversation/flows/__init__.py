"""The conversation flows; importing this package registers their actions, commands and intents."""

from bot.conversation.flows import (  # noqa: F401  (imported for their registrations)
    fallback,
    glossary,
    menu,
    onboarding,
    overview,
    tasks,
    walk,
)
