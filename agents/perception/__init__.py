"""Perception: turn unstructured text into typed facts with calibrated confidence and evidence.

Offline by default (n-gram TF-IDF + calibrated linear model, rapidfuzz entities); any LangChain
chat model when configured, confined to the same typed answers; hybrid routing between the two.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use: the CLI and agents that only need one piece should not pay for
# scikit-learn and LangChain at start-up.
_EXPORTS = {
    "Alternative": "agents.perception.results",
    "DatasetError": "agents.perception.errors",
    "Evidence": "agents.perception.results",
    "Extraction": "agents.perception.results",
    "FieldExtractor": "agents.perception.protocols",
    "FieldResult": "agents.perception.results",
    "HybridTextClassifier": "agents.perception.hybrid",
    "LLMOutputError": "agents.perception.errors",
    "LLMTextClassifier": "agents.perception.llm",
    "LLMUsage": "agents.perception.results",
    "ModelFileError": "agents.perception.errors",
    "ModelFormatError": "agents.perception.errors",
    "ModelIntegrityError": "agents.perception.errors",
    "OUT_OF_SCOPE": "agents.perception.results",
    "OfflineSettings": "agents.perception.offline",
    "OfflineTextClassifier": "agents.perception.offline",
    "OracleChatModel": "agents.perception.oracle_model",
    "PerceptionError": "agents.perception.errors",
    "Prediction": "agents.perception.results",
    "PromptError": "agents.perception.errors",
    "RedactionSettings": "agents.perception.redaction",
    "Redactor": "agents.perception.redaction",
    "RoutingStats": "agents.perception.hybrid",
    "TextClassifier": "agents.perception.protocols",
    "record_llm_usage": "agents.perception.usage_ledger",
}

if TYPE_CHECKING:
    from agents.perception.errors import (
        DatasetError,
        LLMOutputError,
        ModelFileError,
        ModelFormatError,
        ModelIntegrityError,
        PerceptionError,
        PromptError,
    )
    from agents.perception.hybrid import HybridTextClassifier, RoutingStats
    from agents.perception.llm import LLMTextClassifier
    from agents.perception.offline import OfflineSettings, OfflineTextClassifier
    from agents.perception.oracle_model import OracleChatModel
    from agents.perception.protocols import FieldExtractor, TextClassifier
    from agents.perception.redaction import RedactionSettings, Redactor
    from agents.perception.results import (
        OUT_OF_SCOPE,
        Alternative,
        Evidence,
        Extraction,
        FieldResult,
        LLMUsage,
        Prediction,
    )
    from agents.perception.usage_ledger import record_llm_usage


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agents.perception' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "OUT_OF_SCOPE",
    "Alternative",
    "DatasetError",
    "Evidence",
    "Extraction",
    "FieldExtractor",
    "FieldResult",
    "HybridTextClassifier",
    "LLMOutputError",
    "LLMTextClassifier",
    "LLMUsage",
    "ModelFileError",
    "ModelFormatError",
    "ModelIntegrityError",
    "OfflineSettings",
    "OfflineTextClassifier",
    "OracleChatModel",
    "PerceptionError",
    "Prediction",
    "PromptError",
    "RedactionSettings",
    "Redactor",
    "RoutingStats",
    "TextClassifier",
    "record_llm_usage",
]
