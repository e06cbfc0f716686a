"""The org tree (一中心一张网十联户), households, residents, units and their staff.

Every record that holds people's data carries the ids of all its ancestors in
the tree (county, street, community, grid, group). Scoping a query to a user's
part of the tree is then one indexed equality (or IN) on the column of the
user's level, identical on SQLite and PostgreSQL, with no joins and no LIKE.
"""

from __future__ import annotations
from fanzha.core.versioning import version_field

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanzha.core import pii
from fanzha.core.names import NameKeyField, given_key, initials_key
from fanzha.core.idnumbers import mask_id_number, mask_phone


class Level(models.TextChoices):
    COUNTY = "county", _("区县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格")
    GROUP = "group", _("十联户")


LEVEL_ORDER = [Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID, Level.GROUP]
ANCESTOR_FIELDS = ["county", "street", "community", "grid", "group"]


class Placed(models.Model):
    """Ancestor columns: the node of each level this record sits under."""

    county = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区县"))
    street = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("街道"))
    community = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区"))
    grid = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格"))
    group = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("十联户"))

    class Meta:
        abstract = True

    def place_at(self, node: "Node | None") -> None:
        """Copy `node`'s ancestor columns (and node itself) onto this record."""
        for f in ANCESTOR_FIELDS:
            setattr(self, f"{f}_id", getattr(node, f"{f}_id", None) if node else None)

    def place_like(self, other: "Placed") -> None:
        """Copy another record's ancestor columns (a resident takes its household's)."""
        for f in ANCESTOR_FIELDS:
            setattr(self, f"{f}_id", getattr(other, f"{f}_id"))

    @property
    def deepest_node_id(self) -> int | None:
        for f in reversed(ANCESTOR_FIELDS):
            if getattr(self, f"{f}_id"):
                return getattr(self, f"{f}_id")
        return None


class Node(Placed):
    """One node of the org tree. Its own level's ancestor column points at itself."""

    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级"))
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("组织节点")
        ordering = ["sort", "code"]
        indexes = [models.Index(fields=["parent", "sort"])]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    def ancestors(self) -> list["Node"]:
        ids = [getattr(self, f"{f}_id") for f in ANCESTOR_FIELDS[: self.depth]]
        ids = [i for i in ids if i]
        by_id = Node.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class Residency(models.TextChoices):
    PERMANENT = "permanent", _("常住")
    TEMPORARY = "temporary", _("暂住")
    FLOATING = "floating", _("流动")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PiiMixin(models.Model):
    """Encrypted ID number and phones with keyed look-up hashes and masks."""

    id_number_enc = models.TextField(blank=True, default="", editable=False)
    id_number_hash = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, default="", editable=False)
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=16, blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def set_id_number(self, value: str) -> None:
        self.id_number_enc = pii.encrypt(value)
        self.id_number_hash = pii.lookup_hash("id", value)
        self.id_number_masked = mask_id_number(value) if value else ""

    def set_phone(self, value: str) -> None:
        self.phone_enc = pii.encrypt(value)
        self.phone_hash = pii.lookup_hash("phone", value)
        self.phone_masked = mask_phone(value) if value else ""

    @property
    def id_number(self) -> str:
        return pii.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return pii.decrypt(self.phone_enc)


PHONE_TAIL = 4  # digits of the search by 尾号 (the same four the mask shows)


def phone_tail_hasher():
    """`phone_tail_hash` with the key looked up once, for bulk writers."""
    hash_one = pii.lookup_hasher("phone-tail")

    def tail_hash(phone: str) -> str:
        return hash_one(phone[-PHONE_TAIL:])[:8] if phone and len(phone) >= 8 else ""

    return tail_hash


def tail_hash(tail: str) -> str:
    """The tail hash of any number ending in these four digits (what a search looks up)."""
    return phone_tail_hasher()("0" * PHONE_TAIL + tail)


def phone_tail_hash(phone: str) -> str:
    """Keyed hash of a canonical phone number's last four digits ("" for none).

    Numbers shorter than eight digits are masked whole (no tail shown), so
    they get no tail either. Eight hex characters tell 10,000 tails apart;
    searches also compare the mask's last four, so a collision cannot match.
    """
    return phone_tail_hasher()(phone)


class Household(Placed):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    address = models.CharField(_("地址"), max_length=200)
    head_name = models.CharField(_("户主"), max_length=50, blank=True, default="")
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("户")
        constraints = [models.UniqueConstraint(fields=["grid", "address"], name="household_unique_address_per_grid")]

    def __str__(self) -> str:
        return self.address


class ResidentQuerySet(models.QuerySet):
    def bulk_update(self, objs, fields, *args, **kwargs):
        """A new name carries its search keys: bulk_update calls no pre_save (NameKeyField)."""
        if "name" in fields:
            objs = list(objs)
            for obj in objs:
                obj.name_given, obj.name_initials = given_key(obj.name), initials_key(obj.name)
            fields = [*fields, *(f for f in ("name_given", "name_initials") if f not in fields)]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Resident(Placed, PiiMixin):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    household = models.ForeignKey(Household, models.PROTECT, related_name="residents", verbose_name=_("户"))
    # A name is searched by prefix of the name, of the given name or of the pinyin
    # initials (fanzha.core.names), each an index; the keys are set from the name
    # by save() and by the bulk insert engine (derived_columns).
    name = models.CharField(_("姓名"), max_length=50)
    name_given = NameKeyField(part="given")
    name_initials = NameKeyField(part="initials")
    objects = ResidentQuerySet.as_manager()
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone2_enc = models.TextField(blank=True, default="", editable=False)
    phone2_hash = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)
    phone2_masked = models.CharField(_("备用电话"), max_length=16, blank=True, default="", editable=False)
    # Keyed hashes of the last four digits of each phone, for the search by 尾号
    # (set with the phone by set_phone/set_phone2, so every writer fills them).
    phone_tail_hash = models.CharField(max_length=8, blank=True, default="", db_index=True, editable=False)
    phone2_tail_hash = models.CharField(max_length=8, blank=True, default="", editable=False)
    residency = models.CharField(_("居住类型"), max_length=10, choices=Residency.choices, default=Residency.PERMANENT)
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True, default="")
    occupation = models.CharField(_("职业"), max_length=50, blank=True, default="")
    is_student = models.BooleanField(_("学生"), default=False)
    is_finance_staff = models.BooleanField(_("财务人员"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民")
        indexes = [
            models.Index(fields=["grid", "name"]),
            models.Index(fields=["community", "residency"]),
            # Few residents have a second phone: index only those rows (queries repeat the condition).
            models.Index(fields=["phone2_tail_hash"], condition=models.Q(phone2_tail_hash__gt=""), name="resident_phone2_tail"),
            # The pattern operator class lets PostgreSQL answer LIKE 'x%' whatever the collation (ignored by SQLite).
            models.Index(fields=["name"], name="resident_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_given"], name="resident_name_given", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="resident_name_initials", opclasses=["varchar_pattern_ops"]),
            # A county's name search (the scope inside the name subquery) walks its own county only;
            # the whole-table ones above stay for scopes without one county (the city, the SQLite default).
            models.Index(fields=["county", "name"], name="resident_county_name", opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["county", "name_given"], name="resident_county_name_given",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["county", "name_initials"], name="resident_county_name_initials",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
        ]
        permissions = [
            ("reveal_pii", "查看完整身份证号和手机号"),
            ("change_records", "录入和修改业务数据"),
            ("import_data", "导入数据"),
            ("export_data", "导出数据"),
            ("view_audit", "查看审计日志"),
        ]

    # Columns computed from another, filled by fanzha.core.bulk.insert_rows: {column: (source, function)}.
    derived_columns = {"name_given": ("name", given_key), "name_initials": ("name", initials_key)}

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")  # a new name writes its keys (NameKeyField) too
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_given", "name_initials"}
        super().save(*args, **kwargs)

    def set_phone(self, value: str) -> None:
        super().set_phone(value)
        self.phone_tail_hash = phone_tail_hash(value)

    def set_phone2(self, value: str) -> None:
        self.phone2_enc = pii.encrypt(value)
        self.phone2_hash = pii.lookup_hash("phone", value)
        self.phone2_masked = mask_phone(value) if value else ""
        self.phone2_tail_hash = phone_tail_hash(value)

    @property
    def phone2(self) -> str:
        return pii.decrypt(self.phone2_enc)

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def is_elderly(self) -> bool:
        return self.age is not None and self.age >= ELDERLY_AGE


ELDERLY_AGE = 60


def elderly_born_before(today: dt.date | None = None) -> dt.date:
    """Residents born on or before this date are elderly (60+)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDERLY_AGE, day=28)


class UnitKind(models.TextChoices):
    STREET_DEPARTMENT = "street_department", _("街道部门")
    GOVERNMENT = "government", _("机关事业单位")
    SCHOOL = "school", _("学校")
    BANK = "bank", _("银行")
    HOTEL = "hotel", _("酒店宾馆")
    HOSPITAL = "hospital", _("医院")
    COMPANY = "company", _("企业")
    INDUSTRY = "industry", _("行业单位")
    OTHER = "other", _("其他")


class Unit(Placed):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    scope_unit_field = "id"

    node = models.ForeignKey(Node, models.PROTECT, related_name="units", verbose_name=_("所属节点"))
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.COMPANY)
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="unit_unique_name_per_node")]

    def __str__(self) -> str:
        return self.name


class Employment(models.TextChoices):
    FORMAL = "formal", _("在编")
    CONTRACT = "contract", _("合同")
    TEMPORARY = "temporary", _("临时")


class StaffMember(Placed, PiiMixin):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    scope_unit_field = "unit_id"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="staff", verbose_name=_("单位"))
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="staff_roles", verbose_name=_("居民"))
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    position = models.CharField(_("职务"), max_length=50, blank=True, default="")
    employment = models.CharField(_("用工形式"), max_length=10, choices=Employment.choices, default=Employment.FORMAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("单位职工")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Relation(models.TextChoices):
    PARENT = "parent", _("父母")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")


class FamilyMember(Placed, PiiMixin):
    scope_unit_field = "staff__unit_id"

    staff = models.ForeignKey(StaffMember, models.CASCADE, related_name="family", verbose_name=_("职工"))
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="family_roles", verbose_name=_("居民"))
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("职工家属")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    OFFICE = "office", _("反诈办")
    LEADER = "leader", _("领导")
    OFFICER = "officer", _("民警")
    COMMUNITY = "community", _("社区工作人员")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    GROUP_HEAD = "group_head", _("联户长")
    LIAISON = "liaison", _("单位联络员")
    DEPARTMENT = "department", _("职能部门")
    SAFETY_STAFF = "safety_staff", _("平安专干")
    VOLUNTEER = "volunteer", _("志愿者")


class Assignment(models.Model):
    """A user's role at one node (or, for a liaison, one unit): their scope."""

    user = models.ForeignKey(User, models.CASCADE, related_name="assignments")
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    node = models.ForeignKey(Node, models.CASCADE, null=True, blank=True, related_name="assignments", verbose_name=_("节点"))
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="assignments", verbose_name=_("单位"))

    class Meta:
        verbose_name = _("岗位")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(node__isnull=False) | models.Q(unit__isnull=False),
                name="assignment_has_node_or_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node or self.unit}"


class NodeCounts(models.Model):
    """Head counts of everything under one node (the node itself included), kept by `fanzha.org.counts`.

    Services change the rows in the same transaction as the records they write; bulk writers call
    `counts.recount_grids` (or `recount_all`) before they commit. `elderly` and `elderly_alone` count the
    residents born on or before `elderly_cutoff`; see `fanzha.org.counts` for how that date moves. The
    outreach figures (installs of residents, households visited this year) are kept the same way by the
    outreach services; `visited` counts the year `visit_year`, rolled over on 1 January.
    """

    node = models.OneToOneField(Node, models.CASCADE, primary_key=True, related_name="counts")
    households = models.IntegerField(default=0)
    residents = models.IntegerField(default=0)
    floating = models.IntegerField(default=0)  # residents not 常住
    elderly = models.IntegerField(default=0)  # residents born on or before elderly_cutoff
    elderly_alone = models.IntegerField(default=0)
    students = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    staff = models.IntegerField(default=0)
    elderly_cutoff = models.DateField()
    # Outreach reach of the residents and households under the node, as of today (install dates are never in
    # the future): residents whose install row has the date set, and households with a visit in `visit_year`.
    app = models.IntegerField(default=0)
    call_warning = models.IntegerField(default=0)
    jinzhongzhao = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)  # households with a VisitYear row of visit_year
    visit_year = models.PositiveSmallIntegerField(default=0)  # 0: not counted yet

    class Meta:
        verbose_name = _("节点人数")
