"""Chat model backends: a packaged llama.cpp model served locally, any OpenAI-compatible
server, or none (extractive answers)."""
