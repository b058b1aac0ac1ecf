"""Use cases. Each takes plain values, the database and an explicit `now`, and knows
nothing of the messenger, so a second channel can call them unchanged."""
