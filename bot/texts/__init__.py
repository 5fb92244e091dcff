"""Interface texts, one module per language. A new language is one new file with the same keys."""
