"""Where the graph lives: opening a store (embedded or a remote SPARQL server), its named graphs,
and exports."""
