from django.core.wsgi import get_wsgi_application

from config.env import env_file_load

env_file_load(default_settings="config.settings.production")
application = get_wsgi_application()
