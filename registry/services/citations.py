"""Citations: a record's sources, each a document and the verbatim quote that states the fact."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from registry.models import Citation
from registry.services.saving import create, refuse_too_many_sources


def citations_add(*, record: models.Model, sources: Iterable[dict], reason: str = "") -> list[Citation]:
    """Cite ``record``: each source is ``{"document": Document, "quote": str, "field": str}``.

    A refused source is reported under ``sources.<index>.<field>``, the place it has in the request.
    """
    sources = list(sources)
    refuse_too_many_sources(sources)
    content_type = ContentType.objects.get_for_model(record)
    citations = []
    for index, source in enumerate(sources):
        values = {"content_type": content_type, "object_id": record.pk, **source}
        try:
            with transaction.atomic():  # a savepoint per citation, as for any record created
                citations.append(create(Citation, values, reason=reason))
        except ValidationError as error:
            raise ValidationError(
                {f"sources.{index}.{name}": messages for name, messages in error.message_dict.items()}
            ) from error
    return citations
