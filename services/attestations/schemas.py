"""An operator's claims and the city's verification of them (核实), as the API shows and takes them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.shared.bounds import FreeText

Claim = Annotated[
    Literal["legal_person", "clean_record", "digital_platform_url"],
    msgspec.Meta(
        description="申报事项：legal_person 独立法人资格、clean_record 无违法违规和未了结纠纷、"
        "digital_platform_url 数字化管理平台 / the claim: independent legal person, clean record, digital platform"
    ),
]
CLAIMS: Final[tuple[str, ...]] = ("legal_person", "clean_record", "digital_platform_url")
"""The operator's columns that are claims until the city verifies them (POLICY 二(一)), in the page's order."""
MAX_EVIDENCE_BYTES: Final = 10 * 1024 * 1024

AttestationStatus = Annotated[
    Literal["unverified", "verified", "rejected"],
    msgspec.Meta(
        description="核实状态：unverified 待核实（评价时视为无数据，绝不视为达标）、verified 已核实、rejected 已驳回"
        "（不计入评价）；运营机构修改申报后回到待核实 / unverified (no data when assessed, never a pass), verified, "
        "or rejected (not counted); a claim the operator changes is unverified again"
    ),
]
Decision = Annotated[
    Literal["verified", "rejected"],
    msgspec.Meta(description="核实结论：verified 核实通过、rejected 驳回 / verify or reject the claim"),
]


class Evidence(BaseStruct):
    """The evidence file the city attached (证明材料): its type by content, size and SHA-256."""

    media_type: Annotated[
        str, msgspec.Meta(description="文件类型（按内容判断）：application/pdf、image/jpeg 或 image/png / by content")
    ]
    size: Annotated[int, msgspec.Meta(description="文件大小（字节）/ the size in bytes")]
    sha256: Annotated[str, msgspec.Meta(description="文件的 SHA-256（十六进制）/ the file's SHA-256, in hex")]


class Attestation(BaseStruct):
    """One claim of the street's operator and where its verification stands."""

    claim: Claim
    value: Annotated[
        bool | str | None,
        msgspec.Meta(description="运营机构当前的申报值；null 为未申报 / the operator's claim as it stands; null: none"),
    ]
    status: AttestationStatus
    note: Annotated[str, msgspec.Meta(description="市级核实意见 / the city's note on its decision")]
    verified_by: Annotated[
        str | None, msgspec.Meta(description="作出核实结论的用户 / who verified or rejected the claim")
    ]
    verified_at: Annotated[
        dt.datetime | None, msgspec.Meta(description="作出核实结论的时间 / when the claim was verified or rejected")
    ]
    evidence: Annotated[
        Evidence | None, msgspec.Meta(description="证明材料；null 为未上传 / the evidence file; null: none uploaded")
    ]


class AttestationDecision(InputStruct):
    """The city admin's decision on a claim as it stands now; rejecting it needs a note saying why."""

    status: Decision
    note: Annotated[FreeText, msgspec.Meta(description="核实意见，驳回时必填 / the note, required when rejecting")] = ""
