"""The autonomy and measurement config (``fixtures/autonomy.yaml``): costs, critical root causes,
exception alerts, the evidence targets per tier with their confidence and demotion floor, and the
business-case parameters. `load_measurement_config` reads and validates it."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from governance.baselines import AlertConfig
from governance.metrics import CostConfig, MeasurementError, MetricsConfig
from governance.policy import Tier
from governance.roi import RoiConfig


class TierTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_volume: int = Field(ge=1)
    """Closed transactions judged by a human within the evidence window."""
    min_agreement: float = Field(gt=0, le=1)
    max_error_rate: float = Field(ge=0, lt=1)


class PromotionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    """Confidence of the one-sided Wilson bounds (z = inverse normal CDF of it)."""
    evidence_window_days: float = Field(default=90, gt=0)
    targets: dict[Tier, TierTarget]
    """Targets to *reach* each tier (and to stay there); every tier above shadow needs one."""
    demotion_floor: Tier = Tier.HITL
    """Automatic demotion never goes below this tier."""

    @model_validator(mode="after")
    def _every_tier(self) -> PromotionConfig:
        missing = [tier.value for tier in Tier if tier is not Tier.SHADOW and tier not in self.targets]
        if missing:
            raise ValueError(f"promotion.targets needs an entry for {', '.join(missing)}")
        return self


class MeasurementConfig(BaseModel):
    """Everything in ``fixtures/autonomy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    costs: CostConfig
    """Human minutes, loaded rate, LLM currency conversion and default SLAs (metrics)."""
    critical_root_causes: tuple[str, ...] = ()
    """Correction root causes that block promotion and force demotion."""
    alerts: AlertConfig = AlertConfig()
    """Exception baselines: windows, significance, minimum volumes, webhook, policy reactions."""
    promotion: PromotionConfig
    """Evidence targets per tier, confidence and the demotion floor."""
    roi: RoiConfig
    """Business-case parameters."""

    @property
    def metrics(self) -> MetricsConfig:
        return MetricsConfig(costs=self.costs, critical_root_causes=self.critical_root_causes)


def load_measurement_config(path: str | Path) -> MeasurementConfig:
    """Read and validate the autonomy/measurement config; any problem raises `MeasurementError`."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MeasurementError(f"{file}: autonomy config not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise MeasurementError(f"{file}: cannot read autonomy config: {exc}") from None
    if not isinstance(data, dict):
        raise MeasurementError(f"{file}: the autonomy config must be a mapping")
    try:
        return MeasurementConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise MeasurementError(f"{file}: {problems}") from None
