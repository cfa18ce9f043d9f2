"""Annotation file -> store: the model of a file, its reader, quote finding, the compiler to RDF, the
reasoner, the SHACL shapes, and the load itself."""
