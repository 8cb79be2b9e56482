"""Gongjian (共建) API: the Chalice app. Thin on purpose: it registers one blueprint per area and
the one middleware; business rules live in `functions/`."""
from chalice import Chalice

from functions.api import committees, middleware, platform, structure

app = Chalice(app_name="gongjian", configure_logs=False)
app.register_middleware(middleware.handle_request, "http")
app.register_blueprint(platform.bp)
app.register_blueprint(structure.bp)
app.register_blueprint(committees.bp)
