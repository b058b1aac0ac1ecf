"""What every chat channel shares: the steps people take and the actions each state allows,
said once here and only rendered by the channel adapters (`handlers/` for Telegram)."""
