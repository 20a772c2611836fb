"""Settings of the Celery workers the fault tests start in other processes: the test settings,
with e-mail going over SMTP to the test's own peer (SPORTELLO_TEST_SMTP_PORT) instead of the
in-memory outbox, which another process could not see."""

import os

from sportello.config.settings.test import *  # noqa: F403

if os.environ.get("SPORTELLO_TEST_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["SPORTELLO_TEST_SMTP_PORT"])
    EMAIL_USE_TLS = EMAIL_USE_SSL = False
    EMAIL_TIMEOUT = 10
