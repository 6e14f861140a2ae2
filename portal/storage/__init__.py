"""The private file store: local folder by default, any S3-compatible store when set.

- ``backends``: the two storages (``PrivateFileSystemStorage``, ``PrivateS3Storage``),
  both of which leave nothing partial behind a failed write and raise
  ``StorageUnavailable`` (a clear Chinese message) when the store cannot be written or read.
- ``tracking``: files written inside a transaction that rolls back are removed.
- ``cleanup``: a replaced or deleted file's old object is removed once the change commits.
- ``inventory``: what ``manage.py check_storage`` reports (missing files, orphans).
"""

from .backends import StorageUnavailable  # noqa: F401
