import datetime as dt

import pytest

from fanzha.risk.services import key_persons as kp
from fanzha.risk.services import premises as pr

TODAY = dt.date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def file_r1(tree, personas):
    """An open file for resident r1 (community c1, grid g1): prior offender, opened 2026-10-01 by the officer."""
    return kp.key_person_open(user=personas.police, categories=["offender"], resident=tree.r1,
                              data=kp.PersonData(watch_for="夜间外出频繁", detail="2023年帮信罪判刑一年",
                                                 officer=personas.police, community_worker=personas.community),
                              opened_on=dt.date(2026, 10, 1), today=TODAY)


@pytest.fixture
def file_r3(tree, personas):
    """An open file for resident r3 in the other community (c2)."""
    return kp.key_person_open(user=personas.police, categories=["two_card"], resident=tree.r3,
                              data=kp.PersonData(watch_for="留意银行卡", detail="出售银行卡3张"),
                              opened_on=dt.date(2026, 9, 1), today=TODAY)


@pytest.fixture
def hotel(tree, personas):
    return pr.premises_create(user=personas.grid1, grid=tree.g1,
                              data=pr.PremisesData(name="悦来宾馆", kind="hotel", address="东关路8号", manager_name="张某",
                                                   manager_phone="13800000001"))
