"""The portal's PostgreSQL backend (``ENGINE = "portal.postgresql"``): see ``base``."""
