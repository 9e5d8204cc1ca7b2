"""Audits of a student's own engine: ``audit(root)`` finds the first wrong gradient in one graph,
``audit_engine(Value)`` tests the student's class with random expressions (hypothesis)."""

from .engine import EngineAudit, audit_engine
from .graph import KINDS, Audit, audit

__all__ = ["audit", "Audit", "audit_engine", "EngineAudit", "KINDS"]
