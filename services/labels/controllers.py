"""``GET /api/labels``: the Chinese and English label of every coded value."""

from __future__ import annotations

from functools import cache

from litestar import Controller, get

from services.labels.schemas import Label
from services.labels.service import all_labels


@cache
def _labels() -> dict[str, dict[str, Label]]:
    return all_labels()


class LabelController(Controller):
    path = "/api/labels"
    tags = ["labels"]

    @get(
        "/",
        summary="代码值的中英文名称 / labels of every coded value",
        description=(
            "按枚举名、代码给出中文和英文名称，例如 entityClass.startup → 初创企业。"
            "任何已登录用户均可读取。 / `{enumName: {code: {zh, en}}}` for every coded value the API takes "
            "or returns, e.g. entityClass.startup → 初创企业 / startup. Any signed-in user may read it."
        ),
    )
    async def list_labels(self) -> dict[str, dict[str, Label]]:
        return _labels()
