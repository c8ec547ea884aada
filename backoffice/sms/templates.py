"""The texts the county sends. Chinese carriers deliver only a registered signature and
registered templates, so a message is a template's name plus its parameters; the texts
here are what was registered, used to show a message (the demo's phone, the timeline)
and to check the parameters. No ID number and no full name ever goes into a parameter."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

CODE = "code"  # a verification code: sent at any hour, never retried after it expires
NOTICE = "notice"  # a notice about a case: quiet hours apply


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    zh: str  # as registered with the provider, ${name} for each parameter
    en: str  # the English template for foreign applicants
    params: tuple[str, ...]

    def render(self, params: Mapping[str, str], language: str = "zh_CN") -> str:
        text = self.en if language.startswith("en") else self.zh
        return re.sub(r"\$\{(\w+)\}", lambda m: str(params[m.group(1)]), text)

    def check(self, params: Mapping[str, str]) -> None:
        """Raises ValueError unless exactly the template's parameters are given, each short
        (carriers cap a variable's length) and free of anything that reads like an ID."""
        if set(params) != set(self.params):
            raise ValueError(f"template {self.name} takes {', '.join(self.params)}")
        for name, value in params.items():
            text = str(value)
            if len(text) > 35 or re.search(r"\d{15,}", text):
                raise ValueError(f"parameter {name} of {self.name} is too long or holds an identifier")


PRESENCE_CODE = Template(
    "presence_code", CODE,
    "验证码${code}，用于在澄迈县政务服务自助终端核验本人身份，5分钟内有效。非本人操作请忽略，切勿告诉他人。",
    "Your code is ${code} to confirm it is you at a Chengmai self-service kiosk. It is valid for 5 minutes. "
    "If this was not you, ignore it and tell no one the code.",
    ("code",))

TEMPLATES: dict[str, Template] = {t.name: t for t in (PRESENCE_CODE,)}
