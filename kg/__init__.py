"""homs-kg: a knowledge graph of the war in and around Homs, built from annotated news articles."""

__version__ = "0.1.0"
