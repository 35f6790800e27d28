"""Request examples shown in ``/docs``, one set per body model. Each asks something the
shipped sample corpus (``ingest/sample_corpus``) answers, so "Try it out" on a fresh
install returns a cited answer, not a refusal; a test sends every one of them."""

from __future__ import annotations

KETTLES = "How many kettles did Brightwell recall?"
DELPHINE = "What is the latest estimate of insured losses from Storm Delphine?"

TURN = {"role": "user", "content": "Which company did Apple choose as its AI partner in China?"}
FILTERS = {"sources": ["Harbor Ledger", "Pacific Signal"], "date_from": "2024-01-01", "date_to": "2025-12-31"}

ASK = [
    {"question": DELPHINE, "filters": FILTERS, "as_of": "2025-01-01", "prefer_recent": True, "top_k": 5},
    {"question": "And what about Baidu?",
     "history": [TURN, {"role": "assistant", "content": "Apple chose Alibaba [1]."}]},
    {"question": KETTLES, "stream": True},
]
SEARCH = [{"query": "Kessel Pass tunnel opening date", "top_k": 3, "rerank": True}]

ARTICLE = {"id": "hl-ferry-2025-03-04", "title": "Harbor City ferry fares frozen until 2027",
           "text": "Harbor City's ferry fares will stay at $3 a ride until 2027, the transit board "
                   "decided on Tuesday.",
           "published": "2025-03-04", "source": "Harbor Ledger", "url": "https://example.org/ferry",
           "author": "Mira Holt"}
DOCUMENTS = [{"articles": [ARTICLE]}]

TEXT_PART = {"type": "text", "text": KETTLES}
USER_PARTS = {"role": "user", "content": [TEXT_PART]}
CHAT = [
    {"model": "newsqa", "messages": [{"role": "user", "content": KETTLES}]},
    {"model": "newsqa", "stream": True, "stream_options": {"include_usage": True},
     "messages": [{"role": "system", "content": "Answer briefly."},
                  {"role": "user", "content": [{"type": "text", "text": DELPHINE}]}]},
]

COLLECTION = {"name": "wire"}
FEEDS = [{"url": "https://example.org/news/rss.xml", "every": "15m", "source": "Harbor Ledger"}]
