"""Local OpenAQ-v3-compatible server with SYNTHETIC data, for development, the demo and tests."""

from devservices.openaq_server.app import OpenAQServer, ServerCounters
from devservices.openaq_server.faults import Fault, FaultPlan
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import SyntheticCity

__all__ = ["Fault", "FaultPlan", "OpenAQServer", "ServerCounters", "SyntheticCity", "serve_openaq"]
