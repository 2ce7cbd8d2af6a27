"""The security replay runs against a real `tawasul serve` and the provider fakes (tests/connectors)."""

from tests.connectors.conftest import _fresh_fake, fake, module_db, server  # noqa: F401  (shared fixtures)
