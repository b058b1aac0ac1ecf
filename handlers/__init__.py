"""Telegram glue: each callback turns an update into one service call and renders the result.

The only package that imports python-telegram-bot; a second channel (LINE) gets a sibling.
"""
