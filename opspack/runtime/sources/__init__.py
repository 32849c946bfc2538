"""Work-item sources behind one Protocol (`opspack.runtime.sources.base.Source`)."""

from opspack.runtime.sources.base import Source, WorkItem
from opspack.runtime.sources.folder import FolderSource

__all__ = ["FolderSource", "Source", "WorkItem"]
