"""'What does X mean?': glossary explanations by button and by typing the word."""

from __future__ import annotations

import unicodedata

from bot.content import keys
from bot.content.schema import GlossaryTerm
from bot.conversation.registry import action, intent
from bot.conversation.state import Screen
from bot.conversation.turn import Turn


def normalise(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def find_term(turn: Turn, word: str) -> GlossaryTerm | None:
    wanted = normalise(word)
    if not wanted:
        return None
    for term in turn.content.glossary.values():
        if wanted in (
            normalise(term.term),
            normalise(term.id),
            *(normalise(a) for a in term.aliases),
        ):
            return term
    return None


@action("term")
def explain_term(turn: Turn, term_id: str) -> None:
    term = turn.content.glossary.get(term_id)
    if term is None:
        turn.say("glossary.unknown", [[turn.button("nav.menu", "menu")]])
        return
    explain(turn, term)


@intent("what_is")
def what_is(turn: Turn, word: str) -> None:
    term = find_term(turn, word)
    if term is None:
        turn.say("glossary.unknown", [[turn.button("nav.menu", "menu")]], word=word)
        return
    explain(turn, term)


def explain(turn: Turn, term: GlossaryTerm) -> None:
    turn.record("term_explained", turn.state.task_id, turn.state.step_id)
    text = turn.t(
        "glossary.entry", term=term.term, explanation=turn.t(keys.glossary_explanation(term.id))
    )
    if turn.state.screen is Screen.STEP:
        # Stay on the step: the participant asked in the middle of it.
        rows = [[turn.button("glossary.back_to_step", "retry")], [turn.button("nav.menu", "menu")]]
    else:
        rows = [[turn.button("nav.menu", "menu")]]
    turn.send(text, rows, key="glossary.entry")
