"""Closed vocabularies of the registry. Each becomes a named enum in the OpenAPI schema.

Labels are English (the API's language) and translated for the admin (registry/locale/vi).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationClassification(models.TextChoices):
    """The kind of a body, whatever its level.

    A ward's people's committee and the city's are both ``peoples_committee``.
    """

    PARTY_BODY = "party_body", _("Party body")
    GOVERNMENT = "government", _("Government")
    MINISTRY = "ministry", _("Ministry")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's committee")
    DEPARTMENT = "department", _("Department (Sở)")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    WORKING_GROUP = "working_group", _("Working group")
    OFFICE = "office", _("Office")
    INSTITUTE = "institute", _("Institute")
    ASSOCIATION = "association", _("Association")
    ADMINISTRATIVE_UNIT = "administrative_unit", _("Administrative unit")


class PostRole(models.TextChoices):
    """The generic rank of a post: a chairman, a minister and a Trưởng ban are all the ``head`` of their body."""

    HEAD = "head", _("Head")
    PERMANENT_DEPUTY_HEAD = "permanent_deputy_head", _("Permanent deputy head")
    DEPUTY_HEAD = "deputy_head", _("Deputy head")
    MEMBER = "member", _("Member")


class DatePrecision(models.TextChoices):
    """How much a date says.

    ``exact``: the day the thing began or ended. ``attested``: a document shows it in effect that day; the true
    start may be earlier and the true end later. ``inferred``: not printed in the source; derived as its note says.
    """

    EXACT = "exact", _("Exact")
    ATTESTED = "attested", _("Attested")
    INFERRED = "inferred", _("Inferred")


class EventClassification(models.TextChoices):
    """The kind of an event the sources report (Popolo's event ``classification``)."""

    CONFERENCE = "conference", _("Conference (Hội nghị)")


class RelationshipKind(models.TextChoices):
    """How one organization (the subject) stands to another (the object)."""

    SUPPORTS = "supports", _("Supports (cơ quan giúp việc)")
    SERVES = "serves", _("Serves (dual subordination)")
    COORDINATES_WITH = "coordinates_with", _("Coordinates with (coordination regulation)")
    MERGED_INTO = "merged_into", _("Merged into")


class DocumentKind(models.TextChoices):
    """The kinds of documents of Vietnamese administration, and the news articles that report them."""

    DECISION = "decision", _("Decision (Quyết định)")
    RESOLUTION = "resolution", _("Resolution (Nghị quyết)")
    DECREE = "decree", _("Decree (Nghị định)")
    DIRECTIVE = "directive", _("Directive (Chỉ thị)")
    CONCLUSION = "conclusion", _("Conclusion (Kết luận)")
    PLAN = "plan", _("Plan (Kế hoạch)")
    PROGRAMME = "programme", _("Programme of action (Chương trình hành động)")
    REGULATION = "regulation", _("Regulation (Quy chế)")
    RULES = "rules", _("Rules (Quy định)")
    NOTICE = "notice", _("Notice (Thông báo)")
    OFFICIAL_LETTER = "official_letter", _("Official letter (Công văn)")
    STRATEGY = "strategy", _("Strategy (Chiến lược)")
    SCHEME = "scheme", _("Scheme (Đề án)")
    REPORT = "report", _("Report (Báo cáo)")
    TREATY = "treaty", _("International agreement")
    ARTICLE = "article", _("News article")


class Honorific(models.TextChoices):
    """The form of address a source uses; recorded only where the text says ông or bà."""

    ONG = "ong", _("Ông (Mr)")
    BA = "ba", _("Bà (Ms)")


class OtherNameKind(models.TextChoices):
    """What another name of a person or organization is (Popolo other_name)."""

    FORMER = "former", "Former name"
    ABBREVIATION = "abbreviation", "Abbreviation"
    TRANSLITERATION = "transliteration", "Transliteration"
    TRANSLATION = "translation", "Translation"
    ALTERNATE = "alternate", "Alternate name"


class ChangeType(models.TextChoices):
    """What a write did to a record."""

    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")
