"""The channel-neutral layer between the services and the chat adapters: what every
channel does the same way (who is talking, in which language, a notice's text, the
actions each referral state allows), which Telegram (`handlers/`) and LINE (`line/`) only
translate to and from their platforms."""
