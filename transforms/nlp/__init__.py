"""The Norwegian entity pipeline: `spacy.blank("nb")` plus registered, config-driven components."""
