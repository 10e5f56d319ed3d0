"""The one upload handler: every uploaded file stays in memory, within hard limits.

Plaintext tip attachments must never reach the disk, not even as a temporary file, so this
is the only entry in `FILE_UPLOAD_HANDLERS`. Django's own `MemoryFileUploadHandler` steps
aside for requests larger than `FILE_UPLOAD_MAX_MEMORY_SIZE` and leaves them to the
temporary-file handler; this one never steps aside, so it has to bound memory itself:

- one file may grow to `TIP_ATTACHMENT_MAX_BYTES`; past that its bytes are dropped (the
  parser keeps reading) and it arrives empty with `oversize = True` and its real `.size`,
  so the form can say "this file is too big" next to the field and keep what the person
  typed instead of failing the whole request;
- all files in one request together may not exceed one more file than the form accepts,
  `(TIP_ATTACHMENT_MAX_COUNT + 1) * TIP_ATTACHMENT_MAX_BYTES` (`UploadTooLarge`), which
  bounds the memory a single request can hold;
- at most `TIP_ATTACHMENT_MAX_COUNT * 3` file parts per request (`TooManyFiles`): the form
  reports a few files too many, but thousands of tiny parts are an attack, not a mistake.

Both exceptions subclass `RequestDataTooBig` (through `portal.errors.UploadLimit`), so Django
answers 400 and marks the request's POST data unreadable, exactly as for an oversized form; the
API answers 413 naming `attachments`.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext

from portal.errors import UploadLimit, UploadProblem


class UploadTooLarge(UploadLimit):
    """All files in one request together exceeded the per-request cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            gettext("The attached files are too large in total (the limit is %(mib)s MiB).")
            % {"mib": _mib(limit)}
        )


class TooManyFiles(UploadLimit):
    """More file parts arrived than any honest form submission would send."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            gettext("Too many files were attached (at most %(count)d per request).")
            % {"count": limit}
        )


class TruncatedUpload(UploadProblem):
    """The body ended before a file part did: the file would otherwise be lost silently."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "The upload was cut off before a file ended, so nothing was stored. Please send "
                "it again."
            )
        )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


class BoundedUploadedFile(InMemoryUploadedFile):
    """An uploaded file held in memory; `oversize` means its bytes were dropped."""

    oversize: bool = False


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Buffer each uploaded file in a `BytesIO`, dropping oversize files and capping the total.

    Django makes one handler per request, so the counters below are per request.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_file_bytes: int = settings.TIP_ATTACHMENT_MAX_BYTES
        self.max_total_bytes: int = (
            settings.TIP_ATTACHMENT_MAX_COUNT + 1
        ) * settings.TIP_ATTACHMENT_MAX_BYTES
        self.max_files: int = settings.TIP_ATTACHMENT_MAX_COUNT * 3
        self.files_seen = 0
        self.files_complete = 0
        self.total_bytes = 0
        # `file` is the attribute name MultiPartParser._close_files() closes on errors.
        self.file = BytesIO()
        self.oversize = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > self.max_files:
            raise TooManyFiles(self.max_files)
        self.file = BytesIO()
        self.oversize = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        # Every byte counts towards the total, kept or not: the cap bounds the work one
        # request can make us do, not only the memory it holds.
        self.total_bytes += len(raw_data)
        if self.total_bytes > self.max_total_bytes:
            self.file = BytesIO()
            raise UploadTooLarge(self.max_total_bytes)
        if self.oversize:
            return
        if start + len(raw_data) > self.max_file_bytes:
            # Free what was buffered now rather than at file_complete: with several large
            # files in flight the request would otherwise hold them all.
            self.file = BytesIO()
            self.oversize = True
            return
        self.file.write(raw_data)
        # Returning None tells the parser no later handler needs this chunk.

    def file_complete(self, file_size: int) -> BoundedUploadedFile:
        self.files_complete += 1
        self.file.seek(0)
        uploaded = BoundedUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        uploaded.oversize = self.oversize
        return uploaded

    def upload_complete(self) -> None:
        # A body that ends inside a file part (no closing boundary, a cut connection) gives that
        # file no file_complete(): Django would drop it without a word. Refuse the request.
        if self.files_complete < self.files_seen:
            raise TruncatedUpload()

    def upload_interrupted(self) -> None:
        self.file = BytesIO()
