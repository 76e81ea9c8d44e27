import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from registry.http.security import require_strong_secret_key  # noqa: E402 - needs the settings loaded above

# A production server (DEBUG off) does not start with a placeholder or short SECRET_KEY.
require_strong_secret_key()
