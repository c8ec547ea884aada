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
MAX_PARAM_CHARS = 35  # carriers cap a template variable's length


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
            if len(text) > MAX_PARAM_CHARS or re.search(r"\d{15,}", text):
                raise ValueError(f"parameter {name} of {self.name} is too long or holds an identifier")


PRESENCE_CODE = Template(
    "presence_code", CODE,
    "验证码${code}，用于在澄迈县政务服务自助终端核验本人身份，5分钟内有效。非本人操作请忽略，切勿告诉他人。",
    "Your code is ${code} to confirm it is you at a Chengmai self-service kiosk. It is valid for 5 minutes. "
    "If this was not you, ignore it and tell no one the code.",
    ("code",))

# Case notices (notices.py). ${item} is the item's short name, ${number} the case number, a
# ${date} a day as 12月8日 / 8 Dec; nothing names the applicant.
CASE_ACCEPTED = Template(
    "case_accepted", NOTICE,
    "您申请的${item}（办件号${number}）已受理，承诺${date}前办结。可凭办件号在政务服务自助终端查询进度。",
    "Your application for ${item} (case ${number}) was accepted and will be decided by ${date}. "
    "Track it with the case number at any self-service kiosk.",
    ("item", "number", "date"))
CASE_REFUSED = Template(
    "case_refused", NOTICE,
    "您申请的${item}（办件号${number}）不予受理，原因可凭办件号在自助终端查询，或到县政务服务中心综合窗口咨询。",
    "Your application for ${item} (case ${number}) was not accepted. The reason is shown at any self-service "
    "kiosk with the case number, or ask at the County Government Affairs Service Center.",
    ("item", "number"))
CASE_CORRECTION = Template(
    "case_correction", NOTICE,
    "您申请的${item}（办件号${number}）需补正：${what}。请于${date}前到自助终端或综合窗口补正，逾期视为撤回申请。",
    "Your application for ${item} (case ${number}) needs corrections: ${what}. Bring them to a kiosk or the "
    "service center by ${date}, or the application is treated as withdrawn.",
    ("item", "number", "what", "date"))
DEFERRED_DUE_SOON = Template(
    "deferred_due_soon", NOTICE,
    "您在办的${item}（办件号${number}）有容缺材料未补交，请于${date}前补交，逾期将依承诺终止办理。",
    "Your case ${number} (${item}) still needs a material you promised to bring. Supply it by ${date}, "
    "or the case ends as your signed commitment provides.",
    ("item", "number", "date"))
DEFERRED_EXPIRED = Template(
    "deferred_expired", NOTICE,
    "您申请的${item}（办件号${number}）因容缺材料逾期未补交，已依承诺终止办理。如需办理请重新申请。",
    "Your case ${number} (${item}) has ended: the deferred material was not supplied in time, as your signed "
    "commitment provides. You may apply again.",
    ("item", "number"))
CASE_SUSPENDED = Template(
    "case_suspended", NOTICE,
    "您申请的${item}（办件号${number}）进入特别程序（如听证、现场核查），暂停计时，恢复办理时将短信告知。",
    "Your case ${number} (${item}) is in a special procedure (such as a hearing or an inspection); its clock "
    "is paused. We will text you when it resumes.",
    ("item", "number"))
CASE_RESUMED = Template(
    "case_resumed", NOTICE,
    "您申请的${item}（办件号${number}）已恢复办理，承诺${date}前办结。",
    "Your case ${number} (${item}) has resumed and will be decided by ${date}.",
    ("item", "number", "date"))
CASE_APPROVED = Template(
    "case_approved", NOTICE,
    "您申请的${item}（办件号${number}）已审批通过，结果制作完成后将短信通知您领取。",
    "Your application for ${item} (case ${number}) was approved. We will text you when the result is ready.",
    ("item", "number"))
CASE_DENIED = Template(
    "case_denied", NOTICE,
    "您申请的${item}（办件号${number}）未获批准，决定书可凭办件号在自助终端打印或到综合窗口领取。",
    "Your application for ${item} (case ${number}) was not approved. Print the decision at a kiosk with the "
    "case number, or collect it at the service center.",
    ("item", "number"))
CASE_READY = Template(
    "case_ready", NOTICE,
    "您申请的${item}（办件号${number}）已办结，请持本人身份证到${place}领取（工作日9:00-17:00），或到24小时自助终端领取。",
    "Your ${item} (case ${number}) is ready. Collect it with your ID at ${place} (working days 9:00-17:00), "
    "or at a 24-hour self-service kiosk.",
    ("item", "number", "place"))
CASE_SHIPPED = Template(
    "case_shipped", NOTICE,
    "您申请的${item}（办件号${number}）办理结果已交EMS政务寄递，运单号${waybill}，可凭运单号拨打11183查询。",
    "The result of your ${item} (case ${number}) was sent by EMS government mail, waybill ${waybill}. "
    "Track it with the waybill number on 11183.",
    ("item", "number", "waybill"))
RATING_CALLBACK = Template(
    "rating_callback", NOTICE,
    "您对办件${number}的评价已收到，我们将在${days}个工作日内回访，核实情况并整改。",
    "We have your rating of case ${number}. We will call you back within ${days} working day(s) to look into "
    "it and put it right.",
    ("number", "days"))

APPOINTMENT_REMINDER = Template(
    "appointment_reminder", NOTICE,
    "您预约了${time}在${place}办理${item}，请携带身份证提前到达，凭预约二维码在自助终端签到取号。",
    "You have an appointment at ${time} at ${place} for ${item}. Bring your ID and check in at a kiosk with "
    "the appointment QR code.",
    ("time", "place", "item"))

TEMPLATES: dict[str, Template] = {t.name: t for t in (
    PRESENCE_CODE, CASE_ACCEPTED, CASE_REFUSED, CASE_CORRECTION, DEFERRED_DUE_SOON, DEFERRED_EXPIRED,
    CASE_SUSPENDED, CASE_RESUMED, CASE_APPROVED, CASE_DENIED, CASE_READY, CASE_SHIPPED, RATING_CALLBACK,
    APPOINTMENT_REMINDER)}
