"""Fraud types (诈骗类型): the codes stored on a case and used in statistics.

The first ten are the high-incidence types the Ministry of Public Security
published for 2024 (together about 88% of cases); then the focus types the
seeds ask for; then 其他. Codes are stable English identifiers — they are
stored in the database and sent through the API — and the Chinese label is
what officers see. Labels are plain strings rather than gettext proxies so
that the classifier can be used (and its evaluation run) without Django
settings; Chinese is the source language of the project anyway.
"""

from __future__ import annotations

from django.db import models


class FraudType(models.TextChoices):
    REBATE_TASK = "rebate_task", "刷单返利"
    FAKE_INVESTMENT = "fake_investment", "虚假网络投资理财"
    FAKE_SHOPPING = "fake_shopping", "虚假购物服务"
    FAKE_CUSTOMER_SERVICE = "fake_customer_service", "冒充电商物流客服"
    FAKE_LOAN = "fake_loan", "虚假贷款"
    FAKE_CREDIT_RECORD = "fake_credit_record", "虚假征信"
    IMPERSONATE_BOSS_ACQUAINTANCE = "impersonate_boss_acquaintance", "冒充领导熟人"
    IMPERSONATE_AUTHORITY = "impersonate_authority", "冒充公检法及政府机关"
    ROMANCE = "romance", "网络婚恋交友"
    GAME_TRADE = "game_trade", "网络游戏产品虚假交易"
    FAKE_POVERTY_RELIEF = "fake_poverty_relief", "虚假扶贫/冒充扶贫"
    ILLEGAL_FUNDRAISING = "illegal_fundraising", "高回报集资"
    IMPERSONATE_RELATIVE = "impersonate_relative", "冒充亲属"
    ELDERLY_HEALTH_PRODUCTS = "elderly_health_products", "养老诈骗/保健品"
    EMAIL_FRAUD = "email_fraud", "邮件诈骗"
    OTHER = "other", "其他"


# The Ministry of Public Security's 2024 list of ten high-incidence types.
TEN_TYPES: tuple[FraudType, ...] = (
    FraudType.REBATE_TASK,
    FraudType.FAKE_INVESTMENT,
    FraudType.FAKE_SHOPPING,
    FraudType.FAKE_CUSTOMER_SERVICE,
    FraudType.FAKE_LOAN,
    FraudType.FAKE_CREDIT_RECORD,
    FraudType.IMPERSONATE_BOSS_ACQUAINTANCE,
    FraudType.IMPERSONATE_AUTHORITY,
    FraudType.ROMANCE,
    FraudType.GAME_TRADE,
)

# The seeds' focus types (seed 002 §四, seed 004): not on the national list
# but what the street's campaign is asked to watch for.
FOCUS_TYPES: tuple[FraudType, ...] = (
    FraudType.FAKE_POVERTY_RELIEF,
    FraudType.ILLEGAL_FUNDRAISING,
    FraudType.IMPERSONATE_RELATIVE,
    FraudType.ELDERLY_HEALTH_PRODUCTS,
    FraudType.EMAIL_FRAUD,
)

# Two- to three-character labels for narrow tables (confusion matrix, charts).
SHORT_LABELS: dict[str, str] = {
    FraudType.REBATE_TASK: "刷单",
    FraudType.FAKE_INVESTMENT: "投资",
    FraudType.FAKE_SHOPPING: "购物",
    FraudType.FAKE_CUSTOMER_SERVICE: "客服",
    FraudType.FAKE_LOAN: "贷款",
    FraudType.FAKE_CREDIT_RECORD: "征信",
    FraudType.IMPERSONATE_BOSS_ACQUAINTANCE: "领导",
    FraudType.IMPERSONATE_AUTHORITY: "公检法",
    FraudType.ROMANCE: "婚恋",
    FraudType.GAME_TRADE: "游戏",
    FraudType.FAKE_POVERTY_RELIEF: "扶贫",
    FraudType.ILLEGAL_FUNDRAISING: "集资",
    FraudType.IMPERSONATE_RELATIVE: "亲属",
    FraudType.ELDERLY_HEALTH_PRODUCTS: "养老",
    FraudType.EMAIL_FRAUD: "邮件",
    FraudType.OTHER: "其他",
}
