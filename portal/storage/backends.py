"""The private storages: a local folder (default) or an S3-compatible bucket.

Both raise ``StorageUnavailable`` when the store cannot take or give a file
(disk full, permission, the S3 endpoint unreachable or refusing), after removing
whatever part of the file was written, and report every written name to
``tracking`` so a transaction that rolls back takes its files with it.
A missing file still raises ``FileNotFoundError`` (the views answer 404).
"""

import errno
import logging
import os
from contextlib import contextmanager

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _

from . import tracking

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The private store cannot be written or read right now (full, down, refusing).

    ``str()`` is the Chinese message users see; ``portal.storage.middleware``
    turns it into a 503 page. The original error is the ``__cause__``.
    """

    def __init__(self, message=None):
        super().__init__(str(message or _("文件存储暂时不可用，文件未保存。请稍后重试。")))


UNAVAILABLE = _("文件存储暂时不可用，请稍后重试。")


@contextmanager
def _unavailable_on(errors, what: str, name: str):
    """Turn ``errors`` (not a missing file) into ``StorageUnavailable``, with one log line."""
    try:
        yield
    except FileNotFoundError:
        raise
    except errors as exc:
        logger.warning("Private storage %s failed for %s: %s", what, name, exc)
        raise StorageUnavailable(UNAVAILABLE) from exc


def _full_message(exc: OSError):
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("文件存储空间已满，文件未保存。请联系管理员。")
    return None


class PrivateFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` that never leaves a cut-off file behind a failed write."""

    def _save(self, name, content):
        existed = os.path.lexists(self.path(name))
        try:
            name = super()._save(name, content)
        except OSError as exc:
            # Django opens the target with O_EXCL: a file at ``name`` that was not
            # there before is ours, cut off. (Names are fresh uuids; ``existed``
            # guards the one case where Django moved on to another name.)
            if not existed:
                try:
                    os.remove(self.path(name))
                except OSError:
                    pass
            logger.warning("Private storage write failed for %s: %s", name, exc)
            raise StorageUnavailable(_full_message(exc)) from exc
        tracking.record_write(self, name)
        return name

    def _open(self, name, mode="rb"):
        with _unavailable_on(OSError, "read", name):
            return super()._open(name, mode)


try:  # django-storages is a dependency; imported lazily so a broken boto3 never stops start-up
    from botocore.exceptions import BotoCoreError, ClientError
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover
    S3Storage = None


if S3Storage is not None:

    class PrivateS3Storage(S3Storage):
        """An S3 bucket (AWS, SeaweedFS, MinIO, Ceph, OSS, COS…) as the private store.

        Objects are private (no ACL, no public URL is ever handed out: downloads
        go through the permission-checked views). A single PUT, or a multipart
        upload that boto3 aborts on failure, is all or nothing: a failed write
        leaves no object. Connection errors and refusals become
        ``StorageUnavailable``; short timeouts make an unreachable store fail fast.
        """

        def get_default_settings(self):
            from botocore.config import Config

            defaults = super().get_default_settings()
            defaults.update(
                default_acl=None,
                file_overwrite=False,
                querystring_auth=True,
                querystring_expire=60,
                # Small files stay in memory when read; larger ones spill to
                # FILE_UPLOAD_TEMP_DIR (S3File's temporary copy).
                max_memory_size=2 * 1024 * 1024,
                # A store that cannot write (SeaweedFS with a full disk retries for
                # about 60 s before it answers 500) fails the request within ~30 s.
                client_config=Config(
                    connect_timeout=3,
                    read_timeout=15,
                    retries={"max_attempts": 2, "mode": "standard"},
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                ),
            )
            return defaults

        def _save(self, name, content):
            try:
                name = super()._save(name, content)
            except (BotoCoreError, ClientError, OSError) as exc:
                logger.warning("S3 write failed for %s: %s", name, exc)
                if isinstance(exc, ClientError):
                    # The store answered and refused: make sure it keeps no part.
                    # (boto3 aborts a failed multipart upload; a failed PUT stores nothing.)
                    try:
                        super().delete(name)
                    except (BotoCoreError, ClientError):
                        pass
                raise StorageUnavailable(_s3_message(exc)) from exc
            tracking.record_write(self, name)
            return name

        def _open(self, name, mode="rb"):
            with _unavailable_on((BotoCoreError, ClientError), "read", name):
                return super()._open(name, mode)

        def exists(self, name):
            with _unavailable_on((BotoCoreError, ClientError), "lookup", name):
                return super().exists(name)

        def get_available_name(self, name, max_length=None):
            try:
                return super().get_available_name(name, max_length)
            except (BotoCoreError, ClientError) as exc:
                raise StorageUnavailable(_s3_message(exc)) from exc

        def delete(self, name):
            with _unavailable_on((BotoCoreError, ClientError), "delete", name):
                return super().delete(name)

    def _s3_message(exc):
        code = ""
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
        if code in {"EntityTooLarge", "QuotaExceeded", "InsufficientStorage", "XMinioStorageFull"}:
            return _("文件存储空间已满，文件未保存。请联系管理员。")
        return None
