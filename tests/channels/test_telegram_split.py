"""Long texts are split under Telegram's limit at readable places, isolates kept intact."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.split import MAX_MESSAGE, split_text, utf16_len
from bot.language.bidi import FSI, PDI, isolate_ltr_runs


def _words(text: str) -> list[str]:
    return re.sub(f"[{FSI}{PDI}]", "", text).split()


def test_a_short_text_is_one_part_and_blank_text_none() -> None:
    assert split_text("Kies je taal.") == ["Kies je taal."]
    assert split_text("  \n ") == []


def test_paragraphs_stay_whole_when_they_fit() -> None:
    paragraph = "Dit is een zin over DigiD. " * 60  # about 1600 characters
    text = "\n\n".join([paragraph.strip()] * 6)
    parts = split_text(text)
    assert len(parts) >= 3
    assert all(utf16_len(part) <= MAX_MESSAGE for part in parts)
    assert all(part.endswith("DigiD.") for part in parts), "every part ends at a paragraph end"
    assert _words(" ".join(parts)) == _words(text)


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = "🎉" * 3000  # 3000 characters, 6000 UTF-16 units
    parts = split_text(text)
    assert len(parts) == 2
    assert all(utf16_len(part) <= MAX_MESSAGE for part in parts)
    assert "".join(parts) == text


def test_a_cut_never_leaves_a_dutch_label_half_isolated() -> None:
    arabic = "اضغط على „Inloggen met DigiD” ثم اكتب 088 123 65 55 في الخانة. "
    text = isolate_ltr_runs(arabic * 150)
    parts = split_text(text)
    assert len(parts) > 1
    for part in parts:
        assert part.count(FSI) == part.count(PDI)
        assert utf16_len(part) <= MAX_MESSAGE


def test_one_endless_isolated_run_is_closed_and_reopened() -> None:
    text = f"رابط: {FSI}{'https://www.digid.nl/' + 'a' * 9000}{PDI}"
    parts = split_text(text)
    assert len(parts) == 3
    for part in parts:
        assert part.count(FSI) == part.count(PDI)
    assert "".join(parts).replace(FSI, "").replace(PDI, "") == text.replace(FSI, "").replace(
        PDI, ""
    )


@given(st.text(alphabet=st.sampled_from("ab DigiD\n.😀ع" + FSI + PDI), max_size=12_000))
def test_parts_are_never_too_long_and_lose_no_words(text: str) -> None:
    parts = split_text(text, limit=500)
    assert all(utf16_len(part) <= 500 for part in parts)
    assert all(part.strip() for part in parts)
    assert "".join(_words(" ".join(parts))) == "".join(_words(text))
