# LINE: what only the LINE channel says.
pushes-running-low = ⚠️ Only { $left } of this month's { $budget } LINE messages are left. Once they are used up, notices to people on LINE wait until they next write to Panong, or until next month.
line-not-yet = This is not on LINE yet: please do it in Panong on Telegram, or ask your coordinator. On LINE you can join with your invite, read your notices and reminders, and choose your language.
