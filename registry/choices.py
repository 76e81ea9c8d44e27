"""Closed vocabularies of the registry. Each becomes a named enum in the OpenAPI schema."""

from django.db import models


class OrganizationClassification(models.TextChoices):
    PARTY_BODY = "party_body", "Party body"
    GOVERNMENT = "government", "Government"
    MINISTRY = "ministry", "Ministry"
    PEOPLES_COMMITTEE = "peoples_committee", "People's committee"
    DEPARTMENT = "department", "Department (Sở)"
    STEERING_COMMITTEE = "steering_committee", "Steering committee"
    WORKING_GROUP = "working_group", "Working group"
    OFFICE = "office", "Office"
    INSTITUTE = "institute", "Institute"
    ASSOCIATION = "association", "Association"
    ADMINISTRATIVE_UNIT = "administrative_unit", "Administrative unit"


class PostRole(models.TextChoices):
    """The generic rank of a post: a chairman, a minister and a Trưởng ban are all the ``head`` of their body."""

    HEAD = "head", "Head"
    PERMANENT_DEPUTY_HEAD = "permanent_deputy_head", "Permanent deputy head"
    DEPUTY_HEAD = "deputy_head", "Deputy head"
    MEMBER = "member", "Member"


class DatePrecision(models.TextChoices):
    """How much a date says.

    ``exact``: the day the thing began or ended. ``attested``: a document shows it in effect that day; the true
    start may be earlier and the true end later. ``inferred``: not printed in the source; derived as its note says.
    """

    EXACT = "exact", "Exact"
    ATTESTED = "attested", "Attested"
    INFERRED = "inferred", "Inferred"


class RelationshipKind(models.TextChoices):
    """How one organization (the subject) stands to another (the object)."""

    SUPPORTS = "supports", "Supports (cơ quan giúp việc)"
    SERVES = "serves", "Serves (dual subordination)"
    COORDINATES_WITH = "coordinates_with", "Coordinates with (coordination regulation)"
    MERGED_INTO = "merged_into", "Merged into"


class DocumentKind(models.TextChoices):
    ARTICLE = "article", "News article"
    RESOLUTION = "resolution", "Resolution (Nghị quyết)"
    REGULATION = "regulation", "Regulation (Quy chế)"
    PROGRAMME = "programme", "Programme of action (Chương trình hành động)"
    PLAN = "plan", "Plan (Kế hoạch)"
    STRATEGY = "strategy", "Strategy (Chiến lược)"
    SCHEME = "scheme", "Scheme (Đề án)"
    REPORT = "report", "Report (Báo cáo)"
    TREATY = "treaty", "International agreement"


class Honorific(models.TextChoices):
    """The form of address a source uses; recorded only where the text says ông or bà."""

    ONG = "ong", "Ông (Mr)"
    BA = "ba", "Bà (Ms)"
