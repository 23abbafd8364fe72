"""Writes corpus.jsonl: the hostile-input corpus. Run it again after editing this file.

Each line is one input a participant (or an attacker) could send: text, a command, a button
press with forged data, or media. `secret` marks inputs that plant a value which must never
reach the database or the logs.
"""

from __future__ import annotations

import json
from pathlib import Path

# Planted secrets: valid by their checksums, so redaction must catch them.
BSN = "123456782"
BSN_DOTTED = "1234.56.782"
IBAN = "NL91ABNA0417164300"
CARD = "4111 1111 1111 1111"
PASSWORD = "Geheim!Wachtwoord42"
PIN = "48213"

SCRIPTS = {
    "ar": "ما وصلتني الرسالة من DigiD",
    "fa": "نامه DigiD به دستم نرسید",
    "ti": "ደብዳቤ DigiD ኣይበጽሐንን",
    "tr": "DigiD mektubu gelmedi, ne yapmalıyım?",
    "so": "Warqadda DigiD ma iman",
    "ku": "Nameya DigiD negihîşt min",
    "nl": "ik snap het niet",
    "en": "my letter didn't come",
}


def corpus() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []

    def text(kind: str, value: str, secret: str | None = None) -> None:
        items.append({"kind": kind, "text": value, **({"secret": secret} if secret else {})})

    # Length: at, over and far over Telegram's 4096-character limit.
    for n in (1, 4095, 4096, 4097, 10_000, 100_000):
        text("long", "a" * n)
    text("long", "ا" * 4097)
    text("long", "ዐ" * 5000)
    text("long", ("DigiD " * 2000).strip())
    # Control characters, one by one, alone and inside words.
    for code in [*range(0, 32), 127, 0x85]:
        text("control", f"hal{chr(code)}lo")
    text("control", "\r\n\r\n")
    text("control", "\x1b[31mred\x1b[0m")
    # Bidi overrides, isolates and zero-width characters.
    for mark in (
        "\u202e",
        "\u202d",
        "\u202a",
        "\u202b",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\ufeff",
        "\u2060",
        "\u061c",
    ):
        text("bidi", f"{mark}DigiD{mark}aanvragen")
        text("bidi", mark * 50)
    text("bidi", "\u202egnp.exe")
    text("combining", "Z" + "\u0301\u0302\u0303\u0304\u0305" * 200)
    # Emoji only.
    for emoji in ("👍", "😀😀😀", "🇳🇱", "👨‍👩‍👧‍👦", "🤷🏽‍♀️", "❤️" * 100, "🙏", "✅", "🆘", "1️⃣"):
        text("emoji", emoji)
    # Every script we support, alone and mixed in one message.
    for lang, sentence in SCRIPTS.items():
        text(f"script-{lang}", sentence)
    text("mixed", " ".join(SCRIPTS.values()))
    text("mixed", "DigiD ዲጂዲ ديجي دی‌جی‌دی DigiD'yi DigiD-ka")
    # Markdown and HTML that could break Telegram's parse modes.
    for value in (
        "*bold*",
        "_italic_",
        "__underline__",
        "~strike~",
        "||spoiler||",
        "`code`",
        "```\ncode block\n```",
        "[link](https://example.org)",
        "[x](tg://user?id=1)",
        "<b>bold</b>",
        "<script>alert(1)</script>",
        "<a href='javascript:1'>x</a>",
        "&amp; &lt; &gt;",
        "\\*escaped\\*",
        "_*[]()~`>#+-=|{}.!",
        "*unclosed",
        "<b>",
        "<tg-spoiler>x</tg-spoiler>",
        "> quote",
        "**>expandable",
    ):
        text("markup", value)
    # SQL fragments.
    for value in (
        "'; DROP TABLE participants; --",
        '" OR 1=1 --',
        "1; DELETE FROM events",
        "' UNION SELECT * FROM participants --",
        "Robert'); DROP TABLE task_progress;--",
        "%' AND 1=0 UNION SELECT 1 --",
        "\\'; --",
        "NULL",
        "0x27",
        "' OR ''='",
    ):
        text("sql", value)
    # Format-string placeholders that must never be interpreted.
    for value in (
        "{0}",
        "{}",
        "{name}",
        "{title}",
        "{label}",
        "{number}",
        "%s",
        "%d",
        "%(x)s",
        "{{}}",
        "${HOME}",
        "{0.__class__}",
        "{title.__class__.__mro__}",
        "%n%n%n",
        "{:>1000000}",
        "\\N{BULLET}",
        "$(reboot)",
        "`id`",
    ):
        text("format", value)
    # Secrets that must be redacted before anything is stored or logged.
    text("secret", f"mijn bsn is {BSN}", BSN)
    text("secret", f"BSN: {BSN_DOTTED}", "56.782")
    text("secret", f"رقمي {BSN}", BSN)
    text("secret", f"IBAN {IBAN}", IBAN)
    text("secret", "iban: NL91 ABNA 0417 1643 00", "0417")
    text("secret", f"kaart {CARD}", "1111 1111")
    text("secret", f"wachtwoord: {PASSWORD}", PASSWORD)
    text("secret", f"my password is {PASSWORD}", PASSWORD)
    text("secret", f"pincode {PIN}", PIN)
    text("secret", f"كلمة السر {PASSWORD}", PASSWORD)
    text("secret", f"رمز عبور {PASSWORD}", PASSWORD)
    text("secret", f"şifrem {PASSWORD}", PASSWORD)
    text("secret", "bsn ١٢٣٤٥٦٧٨٢", "٥٦٧٨٢")
    text("secret", "شماره بی اس ان ۱۲۳۴۵۶۷۸۲", "۵۶۷۸۲")
    text("secret", "BSN 123 456 782", "456 782")
    text("secret", "sms code 734512", "734512")
    text("secret", "sms-code: 734512", "734512")
    text("secret", f"password={PASSWORD}", PASSWORD)
    text("secret", f"ፓስዎርድ {PASSWORD}", PASSWORD)
    text("secret", f"furaha sirta {PASSWORD}", None)
    text("secret", f"şîfre {PASSWORD}", PASSWORD)
    text("secret", f"erayga sirta ah {PASSWORD}", None)
    text("personal", "mail me: ali.hassan@example.org")
    text("personal", "bel me 06-12345678")
    text("personal", "+31 6 12345678")
    text("personal", "0031612345678")
    # Deterministic noise from many Unicode blocks (surrogates excluded: Telegram sends UTF-8).
    import random

    rng = random.Random(20261125)
    blocks = [
        (0x20, 0x7E),
        (0xA0, 0x24F),
        (0x370, 0x3FF),
        (0x400, 0x4FF),
        (0x600, 0x6FF),
        (0x750, 0x77F),
        (0x1200, 0x137F),
        (0x2000, 0x206F),
        (0x2190, 0x23FF),
        (0x3000, 0x303F),
        (0x4E00, 0x4E7F),
        (0xFB50, 0xFDFF),
        (0xFE70, 0xFEFF),
        (0x1F300, 0x1F6FF),
        (0xE000, 0xE0FF),
        (0xFFF0, 0xFFFD),
    ]
    for _ in range(40):
        length = rng.choice((1, 2, 5, 20, 200))
        chars = []
        for _ in range(length):
            low, high = rng.choice(blocks)
            chars.append(chr(rng.randint(low, high)))
        text("noise", "".join(chars))
    # Nonsense and near-misses.
    for value in (
        "asdfgh qwerty",
        "?",
        "...",
        "!!!",
        "0",
        "-1",
        "99999999999999999999",
        "1e309",
        "NaN",
        "None",
        "null",
        "true",
        "[]",
        "{}",
        "\t",
        " ",
        "ja ja ja ja",
        "nee",
    ):
        text("nonsense", value)
    # Commands: unknown, with arguments, odd payloads.
    for command in (
        "/unknown",
        "/start",
        "/start t_digid-aanvragen",
        "/start t_../../etc/passwd",
        "/start c_' OR 1=1 --",
        "/start " + "x" * 500,
        "/start t_",
        "/start c_",
        "/tasks extra args here",
        "/help me",
        "/language xx",
        "/language ar",
        "/menu",
        "/delete",
        "/mydata",
        "/appointment",
        "/privacy",
        "/START",
        "/start@WegwijsBot",
        "/tasks@OtherBot",
        "/" + "a" * 64,
        "/123",
        "/_",
        "/ü",
    ):
        items.append({"kind": "command", "command": command})
    # Forged, replayed and malformed callback data.
    for data in (
        "",
        ":",
        "::",
        "0:done",
        "1:done",
        "999999999:done",
        "-1:done",
        "1:DONE",
        "1:done:extra:parts",
        "1:lang:xx",
        "1:lang:",
        "1:task:../../x",
        "1:task:" + "x" * 60,
        "1:start:no-such-task",
        "1:term:no-such-term",
        "1:consent:maybe",
        "1:menu",
        "abc",
        "💥",
        "1:" + "a" * 100,
        "\x00",
        "1:done\x00",
        "1:task:digid-aanvragen'--",
        '{"a":1}',
        "null",
        "1 :done",
        "01:done",
        "1:back",
        "1:more",
        "1:retry",
        "1:library_help",
        "1:overview",
        "2147483648:done",
        "1:help:",
        "1:failed",
        "1:stuck",
        "1:tasks",
        "1:language",
        "1:start:zorgtoeslag",
        "1:term:bsn",
    ):
        items.append({"kind": "callback", "data": data})
    # Media of every kind Telegram delivers.
    for media in (
        "photo",
        "voice",
        "audio",
        "video",
        "video_note",
        "sticker",
        "animation",
        "document",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "game",
        "story",
        "unknown",
    ):
        items.append({"kind": "media", "media": media})
    # Added later, at the end so the ids above stay stable.
    # Forwarded fake messages (the phishing check reads them) carrying planted secrets, links and
    # markup: what the check says about them must not store or repeat the secret.
    text(
        "phishing",
        f"Beste klant, uw DigiD verloopt vandaag. Klik op https://digid-verlengen.example/login "
        f"en vul uw BSN {BSN} in.",
        BSN,
    )
    text(
        "phishing",
        f"Belastingdienst: u krijgt €312 terug. Stuur uw IBAN {IBAN} naar https://bit.ly/teruggave",
        IBAN,
    )
    text(
        "phishing",
        f"Uw pas {CARD} is geblokkeerd. Bel 088-1234567 <a href='http://x.example'>hier</a>",
        "1111 1111",
    )
    text("phishing", "DigiD: uw sms-code is 734512. Deel deze code met niemand.", "734512")
    text("phishing", "[Klik hier](https://digid.nl.example/%7Bname%7D) *direct* {name} %s")
    # Glossary questions wrapped in markup and placeholders: the answer names the word.
    for value in (
        "wat is <b>BSN</b>?",
        "wat betekent *toeslag*_",
        "uitleg `DigiD`",
        "wat is {title}?",
    ):
        text("glossary", value)
    # Real-looking callback data of buttons from other screens, replayed mid-task: erasing,
    # cancelling, confirming, choosing a language or consent again without being asked.
    for data in ("1:erase:yes", "9:cancel_yes", "5:confirm", "1:lang:ar", "2:consent:young"):
        items.append({"kind": "callback", "data": data})
    for index, item in enumerate(items):
        item["id"] = index
    return items


def main() -> None:
    path = Path(__file__).with_name("corpus.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for item in corpus():
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    count = path.read_text(encoding="utf-8").count("\n")
    print(f"wrote {count} inputs to {path}")


if __name__ == "__main__":
    main()
