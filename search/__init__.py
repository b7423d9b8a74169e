"""Answering questions: candidates by meaning, words and people, ranked, filtered and cited."""
