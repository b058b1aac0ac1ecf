"""Pure rules about the things teachers type in: no Telegram, no database, no I/O."""
