"""The conversation flows; importing this package registers their actions, commands and intents."""

from bot.conversation.flows import (  # noqa: F401  (imported for their registrations)
    appointment,
    booking,
    classes,
    fallback,
    glossary,
    menu,
    nudges,
    onboarding,
    overview,
    privacy,
    tasks,
    walk,
)
