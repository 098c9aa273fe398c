"""Turning page text into facts: classification, document metadata, normalisers, NLP, structures."""
