"""The base Structs of the HTTP boundary: camelCase JSON, unknown input fields refused."""

from __future__ import annotations

import msgspec


class BaseStruct(msgspec.Struct, rename="camel", kw_only=True):
    """Output and shared shapes."""


class InputStruct(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Request bodies: a misspelt field is an error, not silently dropped."""
