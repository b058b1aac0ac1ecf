"""The LINE adapter: LINE's webhook events in, LINE's messages out, on the same core as
the Telegram adapter (`handlers/`). It only translates: who is talking and what they may
do come from `bot.flows` and `bot.services`; what it owes people goes through the outbox,
whose LINE sender (`line.sender`) pushes within the month's budget."""

CHANNEL = "line"
