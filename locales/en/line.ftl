# LINE: what only the LINE channel says.
pushes-running-low = ⚠️ Only { $left } of this month's { $budget } LINE messages are left. Once they are used up, notices to people on LINE wait until they next write to Panong, or until next month.
line-not-yet = This is not on LINE yet: please do it in Panong on Telegram, or ask your coordinator. On LINE you can join with your invite, open your cases (/mycases, /case), act on referrals (/inbox, /queue), answer your notices and reminders, and choose your language.
line-decline-ask = Why can your unit not take it?
line-outcome-ask = What came of it?
line-details-not-sent = The child's details could not be sent to your chat with Panong just now. Press "Child's details" again in a moment.
