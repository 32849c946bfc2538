"""Where work comes from: folders, IMAP and Graph mailboxes, ITSM queues (one Protocol, `Source`)."""

from opspack.runtime.sources.base import Source, WorkItem
from opspack.runtime.sources.errors import SourceConfigurationError, SourceError, SourceUnavailableError
from opspack.runtime.sources.folder import FolderSource
from opspack.runtime.sources.graph_mailbox import GraphMailboxSource
from opspack.runtime.sources.imap import ImapSource
from opspack.runtime.sources.itsm_queue import ItsmQueueSource
from opspack.runtime.sources.mail import MessageDocuments, documents_from_message

__all__ = [
    "FolderSource",
    "GraphMailboxSource",
    "ImapSource",
    "ItsmQueueSource",
    "MessageDocuments",
    "Source",
    "SourceConfigurationError",
    "SourceError",
    "SourceUnavailableError",
    "WorkItem",
    "documents_from_message",
]
