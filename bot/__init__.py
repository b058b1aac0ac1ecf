"""Panong: domain rules, use cases, settings and the command line. No Telegram here."""
