"""The graph describing itself: resource descriptions and pages, VoID and the Service Description,
counts, and the ontology reference."""
