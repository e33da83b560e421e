"""Local simulators of the message gateways the notifications use, speaking their wire formats:
an HTTP server for SMS (ThaiBulkSMS API v2 shape) and LINE (Messaging API push), and an SMTP
server (aiosmtpd). Every message received is recorded and can be listed back; faults can be
switched on for tests. A separate process: it imports nothing from ``jfs``."""
