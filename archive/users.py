"""Users, their roles and groups, and their API keys (stored only as a sha256 hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, or_, select

from archive import audit
from archive.access import Caller, Role
from archive.errors import AuthenticationError, InvalidInputError, NotFoundError
from archive.models import ApiKey, User, UserGroup, row_id, utcnow

KEY_PREFIX = "ra_"
DISPLAY_PREFIX = 11  # characters of a key shown to tell keys apart ("ra_" and 8 more)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class UserSummary:
    id: int
    name: str
    role: str
    groups: list[str]
    keys: int  # keys that still work


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _expired(key: ApiKey, now: datetime) -> bool:
    expires = _aware(key.expires_at)
    return expires is not None and expires <= now


def _user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(f"user {name!r} does not exist")
    return user


def _user_groups(session: Session, user_id: int) -> list[str]:
    return sorted(session.exec(select(UserGroup.group).where(UserGroup.user_id == user_id)).all())


def add_user(
    session: Session, actor: str, name: str, role: Role, groups: list[str], expires_days: int | None = None
) -> str:
    """Create a user with a first key; returns the key (shown once, stored only as a hash)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInputError("a user name is 1 to 100 characters")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise InvalidInputError(f"user {name!r} exists already: `archive keys add {name}` gives them another key")
    user = User(name=name, role=role.value)
    session.add(user)
    session.flush()
    session.add_all(UserGroup(user_id=row_id(user), group=group) for group in groups)
    audit.add(session, actor, "user added", "user", name, f"role {role.value}; groups {', '.join(groups) or '-'}")
    return _new_key(session, actor, user, expires_days)


def add_key(session: Session, actor: str, name: str, expires_days: int | None = None) -> str:
    """Another key for an existing user; returns it (shown once)."""
    return _new_key(session, actor, _user(session, name), expires_days)


def _new_key(session: Session, actor: str, user: User, expires_days: int | None) -> str:
    if expires_days is not None and expires_days < 1:
        raise InvalidInputError("a key expires after at least 1 day")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_days) if expires_days is not None else None
    row = ApiKey(user_id=row_id(user), key_hash=hash_key(key), prefix=key[:DISPLAY_PREFIX], expires_at=expires)
    session.add(row)
    session.flush()
    audit.add(session, actor, "key added", "key", row.id, f"user {user.name}; prefix {row.prefix}")
    return key


def revoke_key(session: Session, actor: str, prefix_or_id: str) -> ApiKey:
    """Revoke the key with this id or display prefix (it must name exactly one key)."""
    wanted = prefix_or_id.strip()
    condition = col(ApiKey.prefix) == wanted
    if wanted.isdigit():
        condition = or_(condition, col(ApiKey.id) == int(wanted))
    rows = session.exec(select(ApiKey).where(condition)).all()
    if not rows:
        raise NotFoundError(f"no key has the id or prefix {wanted!r}")
    if len(rows) > 1:
        raise InvalidInputError(f"{len(rows)} keys match {wanted!r}: give the key's id")
    key = rows[0]
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        audit.add(session, actor, "key revoked", "key", key.id, f"prefix {key.prefix}")
    return key


def list_users(session: Session) -> list[UserSummary]:
    now = utcnow()
    summaries = []
    for user in session.exec(select(User).order_by(col(User.id))).all():
        keys = session.exec(select(ApiKey).where(ApiKey.user_id == user.id)).all()
        working = [k for k in keys if k.revoked_at is None and not _expired(k, now)]
        summaries.append(
            UserSummary(row_id(user), user.name, user.role, _user_groups(session, row_id(user)), len(working))
        )
    return summaries


def authenticate(session: Session, key: str) -> Caller:
    """The user a key belongs to; AuthenticationError for an unknown, expired or revoked key."""
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(key.strip()))).first()
    if row is None:
        raise AuthenticationError("the API key is not valid")
    if row.revoked_at is not None:
        raise AuthenticationError("the API key has been revoked")
    if _expired(row, utcnow()):
        raise AuthenticationError("the API key has expired")
    user = session.get_one(User, row.user_id)
    return Caller(name=user.name, role=Role(user.role), groups=frozenset(_user_groups(session, row_id(user))))


def current_caller(session: Session, name: str) -> Caller | None:
    """A user as they are now (role and groups), for reading on their behalf without their key (a feed); None
    when the user no longer exists or has no working key."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        return None
    now = utcnow()
    keys = session.exec(select(ApiKey).where(ApiKey.user_id == user.id)).all()
    if not any(key.revoked_at is None and not _expired(key, now) for key in keys):
        return None
    return Caller(name=user.name, role=Role(user.role), groups=frozenset(_user_groups(session, row_id(user))))
