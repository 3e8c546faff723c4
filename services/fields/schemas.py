"""Custom field definitions as the API shows and takes them."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import ShortName

FieldType = Literal["integer", "decimal", "boolean", "text", "date", "choice"]


class CustomField(BaseStruct):
    key: str
    label_zh: str
    label_en: str
    type: FieldType
    choices: list[str]


class CustomFieldCreate(InputStruct):
    """`key` is how rules name the field (`custom.<key>`): lower-case letters, digits and underscores."""

    key: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
    label_zh: ShortName
    label_en: ShortName
    type: FieldType
    choices: Annotated[list[ShortName], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
