"""factory-boy factories: valid records with the fewest fields, for tests that build their own data."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType

from registry.choices import DatePrecision, DocumentKind, OrganizationClassification, PostRole
from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Event,
    EventAppearance,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"test-organization-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    name_en = factory.Sequence(lambda n: f"Test body {n}")
    classification = OrganizationClassification.DEPARTMENT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    slug = factory.Sequence(lambda n: f"test-person-{n}")
    name = factory.Sequence(lambda n: f"Trần Thử {n}")
    family_name = "Trần"


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    slug = factory.Sequence(lambda n: f"test-portfolio-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"test-document-{n}")
    kind = DocumentKind.ARTICLE
    title = factory.Sequence(lambda n: f"Bài báo thử {n}")
    text = "Ông Trần Thử làm Giám đốc Sở Thử nghiệm."
    published_on = datetime.date(2025, 1, 1)
    date_precision = DatePrecision.EXACT


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    slug = factory.Sequence(lambda n: f"test-post-{n}")
    organization = factory.SubFactory(OrganizationFactory)
    label = "Giám đốc"
    label_en = "Director"
    role = PostRole.HEAD
    rank = 1
    seats = 1


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    person = factory.SubFactory(PersonFactory)
    post = factory.SubFactory(PostFactory)
    start_date = datetime.date(2024, 1, 1)
    start_date_precision = DatePrecision.EXACT


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationRelationship

    subject = factory.SubFactory(OrganizationFactory)
    object = factory.SubFactory(OrganizationFactory)
    kind = "supports"


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    organization = factory.SubFactory(OrganizationFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = "Thử nghiệm"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    document = factory.SubFactory(DocumentFactory)
    quote = "Giám đốc Sở Thử nghiệm"
    record = factory.SubFactory(OrganizationFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.record))
    object_id = factory.LazyAttribute(lambda o: o.record.pk)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"test-event-{n}")
    name = factory.Sequence(lambda n: f"Hội nghị thử nghiệm {n}")
    classification = "conference"
    start_date = datetime.date(2024, 6, 1)
    start_date_precision = DatePrecision.EXACT


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventAppearance

    event = factory.SubFactory(EventFactory)
    appointment = factory.SubFactory("tests.factories.AppointmentFactory")
