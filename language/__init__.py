"""The ground floor: rules for reading text in the archive's languages, shared by indexing, search and the API.

- `scripts`: which letters a text is written in, and so its language (English, Russian or Kazakh).
- `letters`: letters folded so that OCR and keyboard variants meet (homoglyphs, Kazakh letter variants, hyphenation).
- `words`: words, stopwords and stems (Snowball for English and Russian, `kazakh_stemmer` for Kazakh).

Nothing here imports the archive: everything that reads text may import it.
"""
