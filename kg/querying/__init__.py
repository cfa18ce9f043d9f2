"""Queries: SPARQL as the service runs it, parameter binding, the canned-query catalogue, and whole
answers (evaluated, capped and serialised)."""
