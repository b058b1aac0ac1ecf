# LINE: what only the LINE channel says.
pushes-running-low = ⚠️ Only { $left } of this month's { $budget } LINE messages are left. Once they are used up, notices to people on LINE wait until they next write to Panong, or until next month.
line-decline-ask = Why can your unit not take it?
line-outcome-ask = What came of it?
line-details-not-sent = The child's details could not be sent to your chat with Panong just now. Press "Child's details" again in a moment.
