"""What ``newsqa serve`` checks before it loads the encoders or opens its port.

A deployment with a read-only data dir or a damaged model file should fail in seconds with one
line naming the problem, not after minutes of model loading, and never answer its first
question with an error. Each check raises the error that ``service.cli`` prints as that line.
"""

from __future__ import annotations

from service.assembly import Components
from service.llm.model_files import assemble_model
from service.storage_errors import check_writable, explained_write_failures


def check_before_serving(components: Components) -> None:
    """Raise ``StorageError`` or ``ModelFileError`` unless the service can start.

    The local model is verified (or assembled) here, not when the first question needs it:
    verification of an unchanged file is recorded, so the later load does not hash it again.
    """
    settings = components.settings
    with explained_write_failures(settings):
        check_writable(settings)
        components.corpus()
        if settings.llm_backend == "local":
            assemble_model(settings.local_model, settings.model_files_dir)
