"""The kinds of field the registry's models are made of, each written once.

A model says what its field is and why (verbose name, help text, length); how that kind of field is declared in
Django (blank, null, unique, on_delete) is said here. The fields deconstruct exactly as their long forms did, so the
migrations do not change.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _


def slug_key(help_text, *, max_length: int = 120) -> models.SlugField:
    """The record's stable ASCII key: its lookup in the API and in the seeds."""
    return models.SlugField(max_length=max_length, unique=True, verbose_name=_("slug"), help_text=help_text)


def text(verbose_name, help_text, *, max_length: int = 255, optional: bool = False) -> models.CharField:
    """A line of text (a name, a title, a label); ``optional`` ones may be blank."""
    return models.CharField(max_length=max_length, blank=optional, verbose_name=verbose_name, help_text=help_text)


def prose(verbose_name, help_text, *, optional: bool = True) -> models.TextField:
    """Free text: a note, a description, a duty's words; blank unless the record needs it."""
    return models.TextField(blank=optional, verbose_name=verbose_name, help_text=help_text)


def choice(vocabulary, verbose_name, help_text, *, max_length: int, **options) -> models.CharField:
    """One value of a closed vocabulary (registry/choices.py)."""
    return models.CharField(
        max_length=max_length, choices=vocabulary.choices, verbose_name=verbose_name, help_text=help_text, **options
    )


def optional_date(verbose_name, help_text) -> models.DateField:
    """A day a source may not give: null until one does."""
    return models.DateField(null=True, blank=True, verbose_name=verbose_name, help_text=help_text)


def reference(to, verbose_name, help_text, *, related_name: str, optional: bool = False) -> models.ForeignKey:
    """A link to a record the registry keeps as long as anything points at it (PROTECT): history is not orphaned."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
        help_text=help_text,
        **({"null": True, "blank": True} if optional else {}),
    )


def identifiers(help_text) -> GenericRelation:
    """The identifiers other systems issued for a person or a body (Popolo ``identifiers``)."""
    return GenericRelation("registry.Identifier", help_text=help_text)


def other_names(help_text) -> GenericRelation:
    """A person's or a body's other names (Popolo ``other_names``)."""
    return GenericRelation("registry.OtherName", help_text=help_text)
