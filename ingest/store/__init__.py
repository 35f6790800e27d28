"""Where indexed articles live: the SQLite catalog (full text, metadata, lexical index)
and the Chroma collection (chunk vectors)."""
