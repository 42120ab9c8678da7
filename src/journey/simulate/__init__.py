"""Ground-truth simulator of a customer-journey landing zone (see CONTRACT.md)."""

from journey.simulate.config import SimConfig
from journey.simulate.run import simulate

__all__ = ["SimConfig", "simulate"]
