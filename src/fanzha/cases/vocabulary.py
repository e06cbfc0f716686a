"""Free text from elsewhere read into the cases' vocabulary: a fraud type and a channel.

An alert closed as "already defrauded" registers a case pre-filled from what the
anti-fraud centre pushed (a fraud type as free text, the fraudster's number or
address); these guesses give the case its coded fields, for the officer to correct.
"""

from __future__ import annotations

from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Channel


def guess_fraud_type(text: str) -> str:
    """The fraud type `text` names (code, label or one of a label's alternatives), else the classifier's
    guess when it is fairly sure, else 其他."""
    t = (text or "").strip()
    for value, label in FraudType.choices:
        if t and (t == value or t == label or t in label.split("/")):
            return value
    if t:
        from fanzha.cases.classifier import classify

        s = classify(t)
        if s.confidence >= 0.5:
            return str(s.type)
    return FraudType.OTHER


def guess_channel(contact: str) -> str:
    """The channel a fraudster's contact (number, address, account) points to; a phone when nothing else shows."""
    c = (contact or "").lower()
    if "http" in c or "www." in c or ".com" in c or ".cn" in c:
        return Channel.WEBSITE
    if "微信" in c or "wechat" in c:
        return Channel.WECHAT
    if "qq" in c:
        return Channel.QQ
    if "app" in c:
        return Channel.APP
    return Channel.PHONE
