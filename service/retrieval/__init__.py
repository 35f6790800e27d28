"""Finding the passages that matter: dense + lexical search, fusion, rerank, filters."""
