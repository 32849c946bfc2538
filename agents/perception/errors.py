"""Errors raised by perception, grouped by what the caller does next.

```
PerceptionError           (an `agents.errors.AgentError`)
├── DatasetError          fix the input file (missing column, empty, wrong encoding, one label only)
├── ModelFileError        retrain or fetch the right model file
│   ├── ModelFormatError  unknown format or format version
│   └── ModelIntegrityError  content hash or training-data hash does not match
├── PromptError           fix the prompt file (missing name/version/template)
└── LLMOutputError        the model's answer was unusable (invalid label, unparseable, refusal);
                          callers retry and then fall back to the offline model
```
"""

from __future__ import annotations

from agents.errors import AgentError


class PerceptionError(AgentError):
    """Base of every perception error."""


class DatasetError(PerceptionError):
    """A labelled dataset cannot be used as given."""


class ModelFileError(PerceptionError):
    """A persisted model cannot be loaded."""


class ModelFormatError(ModelFileError):
    """The file is not an opspack model of a supported format version."""


class ModelIntegrityError(ModelFileError):
    """The file's content or training-data hash is not the one expected."""


class PromptError(PerceptionError):
    """A prompt file is malformed."""


class LLMOutputError(PerceptionError):
    """A language model's answer failed validation."""
