"""Turning files into documents, passages and vectors."""

from indexing.threads import sleep_when_waiting

sleep_when_waiting()  # before any OpenMP runtime (FAISS, the embedder) loads
