"""Identity keys of person names: two names whose key sets intersect name the same person."""

from __future__ import annotations

from indexing.persons.names import is_patronymic_key, masculine_key, name_tokens, name_tokens_key, token_key


def core_tokens(name: str) -> tuple[str, ...]:
    """Token keys of a name without initials and patronymics, feminine surname endings folded."""
    keys = [k for k in name_tokens_key(name) if len(k) > 1]
    if len(keys) == 3:  # drop a patronymic: "Mukhtar Kabulovich Ablyazov", "Аблязов Мухтар Кабулович"
        for i in (1, 2):
            if is_patronymic_key(keys[i]):
                del keys[i]
                break
    return tuple(masculine_key(k) for k in keys)


def person_keys(name: str) -> frozenset[str]:
    """Identity keys of a name; a non-empty intersection of two names' keys means the same person.

    A full name yields its order-insensitive key ("abliazov muhtar"), so "Mukhtar Ablyazov",
    "Аблязов Мұхтар" and "Аблязов Мухтар Кабулович" meet; a one-word name yields that word's key,
    which only meets the same single word (surname-only resolution is contextual, see
    :func:`surname_key` and ``PersonIndex``).
    """
    core = core_tokens(name)
    if not core:
        return frozenset()
    return frozenset({" ".join(sorted(core))})


def surname_key(name: str) -> str:
    """Key of the surname: the last whitespace-separated word (a hyphenated surname stays whole)."""
    words = name.split()
    return token_key(words[-1].replace("-", "")) if words else ""


def given_key(name: str) -> str:
    """Key of the first name token of a multi-word name ("" for a one-word name)."""
    toks = name_tokens(name)
    return token_key(toks[0]) if len(name.split()) > 1 and toks else ""


def initial_of(name: str) -> str:
    """The given-name initial of names written like "M. Ablyazov" ("" otherwise)."""
    words = name.split()
    if len(words) == 2 and len(words[0].rstrip(".")) == 1 and words[0][0].isalpha():
        return token_key(words[0].rstrip("."))[:1]
    return ""


def is_full_name(name: str) -> bool:
    """True when a name has at least two tokens that are not initials (a given name and a surname)."""
    return len(core_tokens(name)) >= 2
