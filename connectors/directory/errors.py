"""Directory-specific refinements of the connector error tree (`connectors.errors`)."""

from __future__ import annotations

from connectors.errors import ConflictError


class AmbiguousUserError(ConflictError):
    """An exact lookup matched more than one account (two accounts sharing an e-mail).

    A business outcome: the caller must ask for a unique identifier (login or id) rather than
    pick one of the matches, because picking is how the wrong person's password gets reset.
    """
