"""The Django admin: every model editable through the services, accent-insensitive search, no query per row.

Forms and inlines only shape input: every save, inline row and deletion is a service call (locked, validated once,
with the reason kept in the history and the change feed). A form carries the version of the record it was opened on;
saving it after someone else has saved the record is refused with a message, never a silent overwrite.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registry.admin import access, events, records  # noqa: F401 - each registers its models

admin.site.site_header = _("HCMC international integration registry")
admin.site.site_title = _("HCMC registry")
admin.site.index_title = _("Editing desk")
