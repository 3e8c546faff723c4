"""The tenant shape of API.md."""

from __future__ import annotations

import msgspec

from services.schemas import BaseStruct
from services.text import Text
from tenants.config import TenantSettings


class TenantOut(BaseStruct):
    slug: str
    name_zh: str
    name_en: str
    code: str
    parent: str | None


class TenantConfigUpdate(TenantSettings, frozen=True, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """The configuration as sent with PUT: what GET answered may come back unchanged.

    ``webhookSecretSet: true`` with no ``webhookSecret`` keeps the stored secret (GET never shows it).
    """

    webhook_secret_set: bool = False


class TenantConfigOut(TenantSettings, frozen=True, rename="camel", kw_only=True):
    """The configuration as returned: the webhook secret is only said to be set, never shown."""

    webhook_secret_set: bool = False

    @classmethod
    def of(cls, settings: TenantSettings) -> TenantConfigOut:
        data = msgspec.structs.asdict(settings)
        data["webhook_secret_set"] = bool(data.pop("webhook_secret"))
        return cls(**data, webhook_secret=None)


class TenantConfigSaved(TenantConfigOut, frozen=True, rename="camel", kw_only=True):
    """The configuration as a save answers it: as GET shows it, and the notices of that save."""

    notices: tuple[Text, ...] = ()
    """When the changes take effect, where that is not at once: the running tracking that took a new
    deadline, or a rectification period that applies from the next rectification."""
