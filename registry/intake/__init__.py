"""Intake: read a Vietnamese decision or news text and propose the document and the appointments it states.

Pure reading, below the API: it reads the registry (names, posts, holders) to match and to find conflicts, and
writes nothing. Deterministic rules (no model, nothing loaded from the internet): ``segments`` cuts the text into
sentences and list items, ``dates`` reads Vietnamese dates, ``people`` finds names (and "ông Sơn" for a name given
in full), ``lexicon`` holds the word lists, ``catalogue`` matches bodies, posts and people accent- and
case-insensitively, ``founding`` finds the committee a decision sets up, ``posts`` the posts a sentence names,
``document`` proposes the document, ``proposals`` the facts, ``dating`` their dates, ``conflicts`` what they meet in
the registry, and ``reading.read`` does the whole of it.
"""
