"""Complaints and feedback about the service, an officer or a lawyer: their own workflow and SLA."""
