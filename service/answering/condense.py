"""Follow-up questions ("and what about Baidu?") are rewritten into standalone ones before
retrieval, because the search index sees only the question it is given. A follow-up that
already stands on its own is searched as it is: joined to the conversation, a new subject
("What is a good recipe for sourdough bread?" after a question about a storm) would find
the old subject's articles and be answered from them."""

from __future__ import annotations

from contextlib import nullcontext
from typing import ContextManager, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from service.answering.prompts import PromptLibrary
from service.answering.question import Question
from ingest.words import stems, terms, tokens
from service.llm.queue import LLMQueue

Turn = dict[str, str]

# Third-person pronouns and demonstratives: the closed class of words that point at
# something named elsewhere. "that" is left out: in questions it mostly introduces a clause
# ("did they say that ..."), which points nowhere.
_REFERRING = frozenset("it its they them their theirs he him his she her hers this these those".split())
# A sentence that opens with a coordinating conjunction continues the one before it
# ("And the audience award?").
_CONTINUING = frozenset("and but or".split())
# A question names at least a subject and what it asks of it; with fewer content words
# ("Which models?", "Who won?") it leaves one of them to the conversation.
MIN_OWN_TERMS = 2


def depends_on_conversation(question: str) -> bool:
    """Whether ``question`` needs the conversation to be understood: it points back (a
    pronoun or demonstrative with no name before it in the question to point at: "When did
    it make landfall?", but not "What did Brightwell say about its kettles?"), continues
    the previous turn ("And who won the men's race?"), or is elliptical ("Which models?").

    Decided on the wording, not on how well the question retrieves alone: a new subject
    the articles lack retrieves as badly on its own as an elliptical follow-up does, and
    only the wording tells them apart."""
    words = tokens(question)
    if not words:
        return True
    if words[0].lower() in _CONTINUING or len(terms(question)) < MIN_OWN_TERMS:
        return True
    for i, word in enumerate(words):
        if word.lower() in _REFERRING:
            # Capitalised words after the first one (but "I") are names it may point at.
            return not any(w[:1].isupper() and w != "I" for w in words[1:i])
    return False


class QuestionCondenser:
    """A follow-up that depends on the conversation is rewritten by the chat model; without
    one, or when the rewrite does not keep the follow-up's meaning, the follow-up is
    searched with the subject of the question it follows (see ``with_subject``).

    A rewrite is used when it keeps the follow-up's meaning and supplies what it lacked:
    it keeps every content word of the follow-up, which names its new focus (the 1.5B
    model dropped it from 2 of the sample set's 7 follow-ups: "And what about Baidu?" came
    back as the first question, which then found Alibaba again), it brings in a content
    word of the conversation, it is one question, and it stands on its own. The 0.5B model
    returned "it" questions unchanged, "Who won the men's race?" without the marathon and
    the earlier question followed by the follow-up: such rewrites resolve nothing.

    The model call takes a turn in ``queue``, the one every answer waits in, so that
    rewrites are bounded by the same back-pressure as answers."""

    def __init__(self, chat_model: BaseChatModel | None, prompts: PromptLibrary, *,
                 queue: LLMQueue | None = None, max_turns: int = 6) -> None:
        self._model = chat_model
        self._prompts = prompts
        self._queue = queue
        self._max_turns = max_turns

    def condense(self, question: str, history: Sequence[Turn]) -> Question:
        turns = [t for t in history if t.get("content", "").strip()][-self._max_turns:]
        if not turns or not depends_on_conversation(question):
            return Question(question)
        fallback = Question(question, search=with_subject(question, turns))
        if self._model is None:
            return fallback
        transcript = "\n".join(f"{t['role']}: {t['content'].strip()[:400]}" for t in turns)
        with self._turn():
            reply = self._model.invoke([HumanMessage(self._prompts.render(
                "condense", history=transcript, question=question))])
        lines = str(reply.content).strip().splitlines() if reply.content else []
        rewritten = lines[0].strip().strip('"').strip() if lines else ""
        kept = stems(rewritten)
        own = stems(question)
        supplied = (kept - own) & stems(" ".join(t["content"] for t in turns))
        if (not supplied or len(rewritten) > 4 * len(fallback.search) + 200 or own - kept
                or rewritten.count("?") > 1 or depends_on_conversation(rewritten)):
            return fallback
        return Question(question, search=rewritten, to_answer=rewritten)

    def _turn(self) -> ContextManager[None]:
        return self._queue.slot() if self._queue is not None else nullcontext()


def with_subject(question: str, turns: Sequence[Turn]) -> str:
    """The follow-up followed by the content words of the user's questions it continues:
    the latest one and, while that one depends on the conversation itself, those before it.

    Only their subject comes along, not what they asked: "Which models?" after "How many
    kettles did Brightwell recall?" still asks for models, not for a number."""
    own = set(terms(question))
    subject: list[str] = []
    for asked in reversed([t["content"].strip() for t in turns if t.get("role") == "user"]):
        words = [w for w in tokens(asked) if terms(w) and not set(terms(w)) <= own]
        subject[:0] = [w for w in dict.fromkeys(words) if w not in subject]
        if not depends_on_conversation(asked):
            break
    return f"{question} {' '.join(subject)}" if subject else question
