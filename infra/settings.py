"""One typed settings object, read from the environment."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

import msgspec

TASK_QUEUE = "jiequ"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything Jiequ reads from its environment (环境配置)."""

    database_url: str | None = None
    """A plain ``postgresql://user:password@host:port/db`` URL; unset means the embedded PostgreSQL."""
    temporal_address: str | None = None
    """``host:port`` of a Temporal frontend; unset means the local dev server."""
    temporal_namespace: str = "default"
    temporal_ui: str = "http://127.0.0.1:8233"
    """Temporal's web UI (``JIEQU_TEMPORAL_UI``), linked from a city admin's cycle page for the technical admin;
    ``jiequ up`` sets it to the UI of the dev server it starts."""
    data_dir: Path = Path(".jiequ-data")
    jwt_secret: str = ""
    token_minutes: int = 12 * 60
    demo_password: str = "demo-pass-2024"  # noqa: S105 - the documented demo password (API.md)
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60
    task_queue: str = TASK_QUEUE
    webhook_allow_http: bool = False
    """Whether a city's webhook URL may be plain ``http://`` (``JIEQU_WEBHOOK_ALLOW_HTTP=1``); off: https only."""
    rules_time_limit: float = 30.0
    """Seconds a rules evaluation of a ruleset a caller supplies (a simulation) may take in its worker process."""
    rules_workers: int = 1
    """Worker processes for such evaluations; each holds its own rules engine."""


def _secret(data_dir: Path) -> str:
    """Read the JWT secret kept in the data folder, creating it once, so tokens survive restarts."""
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build the settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("JIEQU_DATA_DIR") or ".jiequ-data").resolve()
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        temporal_address=env.get("TEMPORAL_ADDRESS") or None,
        temporal_namespace=env.get("TEMPORAL_NAMESPACE") or "default",
        temporal_ui=(env.get("JIEQU_TEMPORAL_UI") or "http://127.0.0.1:8233").rstrip("/"),
        data_dir=data_dir,
        jwt_secret=env.get("JIEQU_JWT_SECRET") or _secret(data_dir),
        token_minutes=int(env.get("JIEQU_TOKEN_MINUTES") or 12 * 60),
        demo_password=env.get("JIEQU_DEMO_PASSWORD") or "demo-pass-2024",
        webhook_allow_http=(env.get("JIEQU_WEBHOOK_ALLOW_HTTP") or "").strip().lower() in ("1", "true", "yes"),
        rules_time_limit=float(env.get("JIEQU_RULES_TIME_LIMIT") or 30.0),
        rules_workers=int(env.get("JIEQU_RULES_WORKERS") or 1),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings."""
    return load_settings()
