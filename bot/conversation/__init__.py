"""The pure conversation engine: (snapshot, inbound event, now) -> outcome. No I/O in here."""
