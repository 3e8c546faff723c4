"""The password policy, the shipped list of common passwords and the generated one-time passwords."""

from __future__ import annotations

import tomllib

import pytest

from services.auth.passwords import MIN_LENGTH, check_policy, common_passwords, one_time_password
from services.errors import InvalidError
from tests.conftest import PASSWORD, repo_root


@pytest.mark.parametrize(
    ("password", "zh", "en"),
    [
        ("short-1", "至少需要 10 个字符", "at least 10 characters"),
        ("my-jinan-case-pass", "不能包含用户名", "must not contain the user name"),
        ("JINAN-CASE", "不能包含用户名", "must not contain the user name"),
        ("Password123", "过于常见", "too common"),
        ("1qaz2wsx3edc", "过于常见", "too common"),
        ("woaini1314520", "过于常见", "too common"),
        ("aaaaaaaaaaaa", "过于常见", "too common"),
        ("x" * 1025, "最多 1024 个字符", "at most 1024 characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason_in_both_languages(password: str, zh: str, en: str) -> None:
    with pytest.raises(InvalidError) as refused:
        check_policy("jinan-case", password)
    assert refused.value.status_code == 422
    assert zh in refused.value.detail
    assert en in refused.value.detail


def test_good_passwords_pass() -> None:
    for password in (PASSWORD, "Lantern-river-2031", "黄河入海流-2024", one_time_password()):
        check_policy("jinan-case", password)


def test_the_common_list_is_a_few_hundred_long_and_shipped_as_package_data() -> None:
    listed = common_passwords()
    assert len(listed) >= 300
    assert sum(1 for word in listed if len(word) >= MIN_LENGTH) >= 100
    package_data = tomllib.loads((repo_root() / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "*.txt" in package_data["*"]
    assert (repo_root() / "services" / "auth" / "common-passwords.txt").is_file()


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    generated = {one_time_password() for _ in range(200)}
    assert len(generated) == 200
    for password in generated:
        assert len(password) == 19
        assert not set(password) & set("0O1lI")
