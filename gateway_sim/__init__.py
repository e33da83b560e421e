"""Local simulators of the message gateways (an SMS provider's HTTP API, the LINE Messaging API, an SMTP server), each speaking its wire format."""
