"""Turning files into documents, passages and vectors."""

from indexing.threads import sleep_when_waiting

sleep_when_waiting()  # before any OpenMP runtime (FAISS, the embedder) loads

from indexing import lexical_schema  # noqa: E402, F401  (registers the lexical index with archive.db's engines)
