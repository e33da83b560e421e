"""Notifications to people: the inbox, and delivery by SMS, e-mail and LINE through pluggable
gateways, with the citizen's chosen channels, quiet hours, retries with backoff, every message recorded."""
