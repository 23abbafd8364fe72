"""Loading and validating the content: knowledge/, dialogues/ and the catalogues in locales/."""
